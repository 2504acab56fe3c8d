using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using TalentMatch.Hosting.Messaging;

namespace TalentMatch.Profiles.Migrations;

/// <summary>Profiles table, outbox and inbox. Written by hand; see the README on migrations.</summary>
[DbContext(typeof(ProfilesDbContext))]
[Migration("20261121200000_InitialProfiles")]
public sealed class InitialProfiles : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE profiles (
                id uuid PRIMARY KEY,
                version bigint NOT NULL,
                status integer NOT NULL,
                full_name character varying(200) NOT NULL,
                email character varying(254) NOT NULL,
                phone character varying(40) NULL,
                research_fields text[] NOT NULL,
                skills text[] NOT NULL,
                degree integer NOT NULL,
                career_stage integer NOT NULL,
                years_of_experience double precision NOT NULL,
                publications_count integer NOT NULL,
                preferred_cities text[] NOT NULL,
                employment_modes integer NOT NULL,
                consent_to_matching boolean NOT NULL,
                consent_given_at timestamptz NULL,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL
            );
            CREATE INDEX ix_profiles_email ON profiles (email);
            """);
        migrationBuilder.CreateOutboxAndInboxTables();
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("DROP TABLE profiles; DROP TABLE outbox_messages; DROP TABLE inbox_messages;");
    }
}
