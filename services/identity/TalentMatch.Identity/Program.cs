using Microsoft.EntityFrameworkCore;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Hosting.Persistence;
using TalentMatch.Hosting.Web;
using TalentMatch.Identity;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddServiceDatabase<IdentityDb>();
// The outbox tells the other services about deleted accounts (their tokens are revoked, the profile erased).
builder.AddServiceMessaging<IdentityDb>();
builder.AddAccounts();

var app = builder.Build();
if (args.Contains("--print-create-script"))
{
    // Development aid for writing the hand-made migration (the EF design package is not served).
    await using var scope = app.Services.CreateAsyncScope();
    Console.WriteLine(scope.ServiceProvider.GetRequiredService<IdentityDb>().Database.GenerateCreateScript());
    return;
}

app.MapServiceDefaults();
app.UseRateLimiter();
app.MapAccountsApi();
app.Run();

public partial class Program;
