using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using TalentMatch.Hosting.Messaging;

namespace TalentMatch.Positions.Migrations;

/// <summary>Positions table, outbox and inbox. Written by hand; see the README on migrations.</summary>
[DbContext(typeof(PositionsDbContext))]
[Migration("20261121200000_InitialPositions")]
public sealed class InitialPositions : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE positions (
                id uuid PRIMARY KEY,
                version bigint NOT NULL,
                status integer NOT NULL,
                institution_id uuid NOT NULL,
                title character varying(200) NOT NULL,
                department character varying(200) NULL,
                city character varying(100) NOT NULL,
                research_fields text[] NOT NULL,
                required_skills text[] NOT NULL,
                preferred_skills text[] NOT NULL,
                minimum_degree integer NOT NULL,
                career_stage_min integer NOT NULL,
                career_stage_max integer NOT NULL,
                minimum_years double precision NOT NULL,
                employment_mode integer NOT NULL,
                headcount integer NOT NULL,
                application_deadline date NULL,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL
            );
            CREATE INDEX ix_positions_institution_id_status ON positions (institution_id, status);
            """);
        migrationBuilder.CreateOutboxAndInboxTables();
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("DROP TABLE positions; DROP TABLE outbox_messages; DROP TABLE inbox_messages;");
    }
}
