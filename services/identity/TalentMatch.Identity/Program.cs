using TalentMatch.Hosting.Messaging;
using TalentMatch.Hosting.Persistence;
using TalentMatch.Hosting.Web;
using TalentMatch.Identity;
using TalentMatch.Identity.Notices;

// Key rotation (deploy/signing-key.sh): `TalentMatch.Identity keys list|rotate|retire <kid> --dir <keys directory>`.
if (args is ["keys", ..])
{
    return SigningKeys.Command(args, Console.Out);
}

var builder = WebApplication.CreateBuilder(args);
// Identity issues the platform's tokens and reads them itself (OpenIddict's validation, no network hop).
builder.AddServiceDefaults(validatesOwnTokens: true);
builder.AddServiceDatabase<IdentityDb>();
// The outbox tells the other services about deleted accounts (their tokens are revoked, the profile erased); the
// consumers turn matches proposed and reviewed into notices for the accounts concerned.
builder.AddServiceMessaging<IdentityDb>(bus => bus.AddNoticeConsumers());
builder.AddNotices();
builder.AddAccounts();
builder.AddOpenIdProvider();
builder.AddLoginPage();

var app = builder.Build();
app.UseRequestLocalization();
// Before authentication: OpenIddict answers a bad client at the token endpoint there, and that must count too.
app.UseRateLimiter();
app.MapServiceDefaults();
app.MapAccountsApi();
app.MapOpenIdProvider();
app.MapLoginPage();
app.MapAccountPages();
app.MapNoticesApi();
app.Run();
return 0;

public partial class Program;
