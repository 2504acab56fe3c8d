using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using TalentMatch.Hosting.Web;

namespace TalentMatch.Positions.Migrations;

/// <summary>Institutions, the full position (tier, pay, languages, description, draft/filled) and idempotency keys.</summary>
[DbContext(typeof(PositionsDbContext))]
[Migration("20261121210000_FullPosition")]
public sealed class FullPosition : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE institutions (
                id uuid PRIMARY KEY,
                slug text NOT NULL,
                name_en text NOT NULL,
                name_zh text NOT NULL,
                city text NOT NULL,
                kind integer NOT NULL
            );
            CREATE UNIQUE INDEX ix_institutions_slug ON institutions (slug);
            ALTER TABLE positions
                ADD COLUMN description text NULL,
                ADD COLUMN talent_tier_sought integer NOT NULL DEFAULT 0,
                ADD COLUMN languages text[] NOT NULL DEFAULT '{}',
                ADD COLUMN salary_min_cny numeric(14,2) NULL,
                ADD COLUMN salary_max_cny numeric(14,2) NULL,
                ADD COLUMN startup_funding_cny numeric(16,2) NULL;
            """);
        // Positions created before institutions were stored keep working: their institutions are seeded at start-up
        // (ReferenceDataSeeder) before the constraint is checked by new writes.
        migrationBuilder.Sql("""
            ALTER TABLE positions ADD CONSTRAINT fk_positions_institutions_institution_id
                FOREIGN KEY (institution_id) REFERENCES institutions (id) ON DELETE RESTRICT NOT VALID;
            """);
        migrationBuilder.CreateIdempotencyKeysTable();
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            DROP TABLE idempotency_keys;
            ALTER TABLE positions DROP CONSTRAINT fk_positions_institutions_institution_id;
            ALTER TABLE positions DROP COLUMN description, DROP COLUMN talent_tier_sought, DROP COLUMN languages,
                DROP COLUMN salary_min_cny, DROP COLUMN salary_max_cny, DROP COLUMN startup_funding_cny;
            DROP TABLE institutions;
            """);
    }
}
