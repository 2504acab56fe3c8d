using TalentMatch.Hosting.Messaging;
using TalentMatch.Hosting.Persistence;
using TalentMatch.Hosting.Web;
using TalentMatch.Positions;
using TalentMatch.Positions.Campaigns;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddServiceDatabase<PositionsDbContext>();
builder.AddServiceMessaging<PositionsDbContext>();
builder.Services.AddPositions().AddCampaigns(builder.Configuration);

var app = builder.Build();
app.MapServiceDefaults();
app.MapPositionsApi();
app.MapCampaignsApi();
app.MapReferenceDataApi();
app.Run();

public partial class Program;
