using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using TalentMatch.Hosting.Web;

namespace TalentMatch.Profiles.Migrations;

/// <summary>Stored Idempotency-Key answers belong to the caller that sent the key.</summary>
[DbContext(typeof(ProfilesDbContext))]
[Migration("20261202100000_CallerScopedIdempotencyKeys")]
public sealed class CallerScopedIdempotencyKeys : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.ScopeIdempotencyKeysToCaller();
}
