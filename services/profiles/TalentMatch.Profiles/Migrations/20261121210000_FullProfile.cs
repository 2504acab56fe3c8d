using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using TalentMatch.Hosting.Web;

namespace TalentMatch.Profiles.Migrations;

/// <summary>The full profile (degrees, honours, ORCID iD, output, languages, availability) and idempotency keys.</summary>
[DbContext(typeof(ProfilesDbContext))]
[Migration("20261121210000_FullProfile")]
public sealed class FullProfile : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            ALTER TABLE profiles RENAME COLUMN degree TO highest_degree;
            ALTER TABLE profiles
                ADD COLUMN orcid character varying(19) NULL,
                ADD COLUMN degrees jsonb NOT NULL DEFAULT '[]',
                ADD COLUMN current_institution character varying(200) NULL,
                ADD COLUMN current_title character varying(200) NULL,
                ADD COLUMN h_index integer NOT NULL DEFAULT 0,
                ADD COLUMN grants_led integer NOT NULL DEFAULT 0,
                ADD COLUMN honours jsonb NOT NULL DEFAULT '[]',
                ADD COLUMN languages text[] NOT NULL DEFAULT '{}',
                ADD COLUMN earliest_start_date date NULL;
            CREATE INDEX ix_profiles_created_at ON profiles (created_at);
            """);
        migrationBuilder.CreateIdempotencyKeysTable();
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            DROP TABLE idempotency_keys;
            DROP INDEX ix_profiles_created_at;
            ALTER TABLE profiles DROP COLUMN orcid, DROP COLUMN degrees, DROP COLUMN current_institution,
                DROP COLUMN current_title, DROP COLUMN h_index, DROP COLUMN grants_led, DROP COLUMN honours,
                DROP COLUMN languages, DROP COLUMN earliest_start_date;
            ALTER TABLE profiles RENAME COLUMN highest_degree TO degree;
            """);
    }
}
