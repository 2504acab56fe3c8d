using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using TalentMatch.Hosting.Auth;

namespace TalentMatch.Positions.Migrations;

/// <summary>The token revocation list (accounts deleted in the identity service).</summary>
[DbContext(typeof(PositionsDbContext))]
[Migration("20261202100100_RevokedTokens")]
public sealed class RevokedTokens : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.CreateRevokedTokensTable();
}
