using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace TalentMatch.Matching.Migrations;

/// <summary>The fuller matching views: output, honours, languages and dates of profiles and positions.</summary>
[DbContext(typeof(MatchingDbContext))]
[Migration("20261121210000_FullMatchingViews")]
public sealed class FullMatchingViews : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            ALTER TABLE candidate_profiles
                ADD COLUMN h_index integer NOT NULL DEFAULT 0,
                ADD COLUMN grants_led integer NOT NULL DEFAULT 0,
                ADD COLUMN talent_tier integer NOT NULL DEFAULT 0,
                ADD COLUMN languages text[] NOT NULL DEFAULT '{}',
                ADD COLUMN earliest_start_date date NULL;
            ALTER TABLE positions
                ADD COLUMN talent_tier_sought integer NOT NULL DEFAULT 0,
                ADD COLUMN languages text[] NOT NULL DEFAULT '{}',
                ADD COLUMN application_deadline date NULL;
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            ALTER TABLE candidate_profiles DROP COLUMN h_index, DROP COLUMN grants_led, DROP COLUMN talent_tier,
                DROP COLUMN languages, DROP COLUMN earliest_start_date;
            ALTER TABLE positions DROP COLUMN talent_tier_sought, DROP COLUMN languages, DROP COLUMN application_deadline;
            """);
    }
}
