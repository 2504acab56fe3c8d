using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace TalentMatch.Matching.Migrations
{
    /// <inheritdoc />
    public partial class Campaigns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "headcount",
                table: "positions",
                type: "integer",
                nullable: false,
                defaultValueSql: "1");

            migrationBuilder.AddColumn<int>(
                name: "hr_rank",
                table: "matches",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "agreement_type",
                table: "match_outcomes",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "days_per_year",
                table: "match_outcomes",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "end_date",
                table: "match_outcomes",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "home_institution_kept",
                table: "match_outcomes",
                type: "boolean",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "months",
                table: "match_outcomes",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "start_date",
                table: "match_outcomes",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "withdraws_from_matching",
                table: "match_outcomes",
                type: "boolean",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "placed",
                table: "candidate_profiles",
                type: "boolean",
                nullable: false,
                defaultValueSql: "false");

            migrationBuilder.CreateTable(
                name: "campaign_assignments",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    campaign_id = table.Column<Guid>(type: "uuid", nullable: false),
                    computed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    trigger = table.Column<string>(type: "text", nullable: false),
                    result = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_campaign_assignments", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "campaigns",
                columns: table => new
                {
                    campaign_id = table.Column<Guid>(type: "uuid", nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false),
                    closed = table.Column<bool>(type: "boolean", nullable: false),
                    name_en = table.Column<string>(type: "text", nullable: false),
                    name_zh = table.Column<string>(type: "text", nullable: false),
                    organiser_institution_id = table.Column<Guid>(type: "uuid", nullable: true),
                    opens_on = table.Column<DateOnly>(type: "date", nullable: false),
                    closes_on = table.Column<DateOnly>(type: "date", nullable: false),
                    target_hires = table.Column<int>(type: "integer", nullable: false),
                    institution_ids = table.Column<Guid[]>(type: "uuid[]", nullable: false),
                    position_ids = table.Column<Guid[]>(type: "uuid[]", nullable: false),
                    ambassador_ids = table.Column<Guid[]>(type: "uuid[]", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_campaigns", x => x.campaign_id);
                });

            migrationBuilder.CreateTable(
                name: "researcher_answers",
                columns: table => new
                {
                    profile_id = table.Column<Guid>(type: "uuid", nullable: false),
                    position_id = table.Column<Guid>(type: "uuid", nullable: false),
                    answer = table.Column<int>(type: "integer", nullable: false),
                    reason = table.Column<int>(type: "integer", nullable: true),
                    reason_text = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    preference_rank = table.Column<int>(type: "integer", nullable: true),
                    answered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_researcher_answers", x => new { x.profile_id, x.position_id });
                });

            migrationBuilder.CreateIndex(
                name: "ix_campaign_assignments_campaign_id_computed_at",
                table: "campaign_assignments",
                columns: new[] { "campaign_id", "computed_at" });

            migrationBuilder.CreateIndex(
                name: "ix_campaigns_ambassador_ids",
                table: "campaigns",
                column: "ambassador_ids")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.CreateIndex(
                name: "ix_researcher_answers_position_id",
                table: "researcher_answers",
                column: "position_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "campaign_assignments");

            migrationBuilder.DropTable(
                name: "campaigns");

            migrationBuilder.DropTable(
                name: "researcher_answers");

            migrationBuilder.DropColumn(
                name: "headcount",
                table: "positions");

            migrationBuilder.DropColumn(
                name: "hr_rank",
                table: "matches");

            migrationBuilder.DropColumn(
                name: "agreement_type",
                table: "match_outcomes");

            migrationBuilder.DropColumn(
                name: "days_per_year",
                table: "match_outcomes");

            migrationBuilder.DropColumn(
                name: "end_date",
                table: "match_outcomes");

            migrationBuilder.DropColumn(
                name: "home_institution_kept",
                table: "match_outcomes");

            migrationBuilder.DropColumn(
                name: "months",
                table: "match_outcomes");

            migrationBuilder.DropColumn(
                name: "start_date",
                table: "match_outcomes");

            migrationBuilder.DropColumn(
                name: "withdraws_from_matching",
                table: "match_outcomes");

            migrationBuilder.DropColumn(
                name: "placed",
                table: "candidate_profiles");
        }
    }
}
