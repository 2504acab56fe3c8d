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
app.MapServiceDefaults();
app.UseRateLimiter();
app.MapAccountsApi();
app.Run();

public partial class Program;
