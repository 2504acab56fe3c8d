using TalentMatch.Hosting.Messaging;
using TalentMatch.Hosting.Persistence;
using TalentMatch.Hosting.Web;
using TalentMatch.Matching;
using TalentMatch.Matching.ReadModel;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddServiceDatabase<MatchingDbContext>();
builder.AddServiceMessaging<MatchingDbContext>(bus => bus.AddMatchingConsumers());

var app = builder.Build();
app.MapServiceDefaults();
app.MapCandidatesApi();
app.Run();

public partial class Program;
