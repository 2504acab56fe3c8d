using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace TalentMatch.Matching.Migrations;

/// <summary>The model registry records which trainer (and which version of it) made each model, and keeps ML.NET's own model zip.</summary>
[DbContext(typeof(MatchingDbContext))]
[Migration("20261202080000_ModelTrainerAndMlNetModel")]
public sealed class ModelTrainerAndMlNetModel : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        // Models registered before this migration were trained by the in-house LambdaMART.
        migrationBuilder.Sql("""
            ALTER TABLE ranking_models
                ADD COLUMN trainer text NOT NULL DEFAULT 'TalentMatch LambdaMART',
                ADD COLUMN trainer_version text NOT NULL DEFAULT 'in-house (retired)',
                ADD COLUMN ml_net_model bytea NULL;
            ALTER TABLE ranking_models ALTER COLUMN trainer DROP DEFAULT, ALTER COLUMN trainer_version DROP DEFAULT;
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("ALTER TABLE ranking_models DROP COLUMN ml_net_model, DROP COLUMN trainer_version, DROP COLUMN trainer;");
    }
}
