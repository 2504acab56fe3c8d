using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TalentMatch.Identity.Migrations
{
    /// <summary>
    /// Adopts EF Core's generated migrations: brings the model snapshot that `dotnet ef migrations add` compares
    /// with. The schema itself is built by the hand-written migrations before this one and the model describes it
    /// (tests/schema-compare.sh), so Up and Down are empty on purpose: a fresh database and an existing one alike
    /// only record this migration as applied.
    /// </summary>
    public partial class AdoptModelSnapshot : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
