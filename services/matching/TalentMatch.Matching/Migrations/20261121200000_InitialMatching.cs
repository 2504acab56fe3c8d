using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using TalentMatch.Hosting.Messaging;

namespace TalentMatch.Matching.Migrations;

/// <summary>Read model of profiles and positions, outbox and inbox. Written by hand; see the README on migrations.</summary>
[DbContext(typeof(MatchingDbContext))]
[Migration("20261121200000_InitialMatching")]
public sealed class InitialMatching : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE candidate_profiles (
                profile_id uuid PRIMARY KEY,
                version bigint NOT NULL,
                withdrawn boolean NOT NULL,
                research_fields text[] NOT NULL,
                field_keys text[] NOT NULL,
                skills text[] NOT NULL,
                degree_level integer NOT NULL,
                career_stage integer NOT NULL,
                years_of_experience double precision NOT NULL,
                publications_count integer NOT NULL,
                preferred_cities text[] NOT NULL,
                employment_modes integer NOT NULL,
                consent_to_matching boolean NOT NULL,
                updated_at timestamptz NOT NULL
            );
            CREATE INDEX ix_candidate_profiles_field_keys ON candidate_profiles USING gin (field_keys);
            CREATE TABLE positions (
                position_id uuid PRIMARY KEY,
                version bigint NOT NULL,
                closed boolean NOT NULL,
                institution_id uuid NOT NULL,
                title text NOT NULL,
                city text NOT NULL,
                research_fields text[] NOT NULL,
                required_skills text[] NOT NULL,
                preferred_skills text[] NOT NULL,
                minimum_degree integer NOT NULL,
                career_stage_min integer NOT NULL,
                career_stage_max integer NOT NULL,
                minimum_years double precision NOT NULL,
                employment_mode integer NOT NULL,
                updated_at timestamptz NOT NULL
            );
            """);
        migrationBuilder.CreateOutboxAndInboxTables();
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("DROP TABLE candidate_profiles; DROP TABLE positions; DROP TABLE outbox_messages; DROP TABLE inbox_messages;");
    }
}
