using TalentMatch.Hosting.Messaging;
using TalentMatch.Hosting.Persistence;
using TalentMatch.Hosting.Web;
using TalentMatch.Positions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddServiceDatabase<PositionsDbContext>();
builder.AddServiceMessaging<PositionsDbContext>();
builder.Services.AddPositions();

var app = builder.Build();
app.MapServiceDefaults();
app.MapPositionsApi();
app.MapReferenceDataApi();
app.Run();

public partial class Program;
