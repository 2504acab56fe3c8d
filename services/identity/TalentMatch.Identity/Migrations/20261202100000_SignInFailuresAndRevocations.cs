using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using TalentMatch.Hosting.Auth;
using TalentMatch.Hosting.Messaging;

namespace TalentMatch.Identity.Migrations;

/// <summary>Failed sign-ins per e-mail address and client address, the token revocation list, the outbox and inbox.</summary>
[DbContext(typeof(IdentityDb))]
[Migration("20261202100000_SignInFailuresAndRevocations")]
public sealed class SignInFailuresAndRevocations : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE sign_in_failures (
                email_hash character varying(64) NOT NULL,
                address character varying(64) NOT NULL,
                failures integer NOT NULL,
                last_failure_at timestamp with time zone NOT NULL,
                CONSTRAINT pk_sign_in_failures PRIMARY KEY (email_hash, address)
            );
            """);
        migrationBuilder.CreateRevokedTokensTable();
        migrationBuilder.CreateOutboxAndInboxTables();
    }
}
