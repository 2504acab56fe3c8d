using MassTransit;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Hosting.Persistence;
using TalentMatch.Hosting.Web;
using TalentMatch.Profiles;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddServiceDatabase<ProfilesDbContext>();
builder.AddServiceMessaging<ProfilesDbContext>(bus =>
{
    bus.AddConsumer<TalentMatch.Profiles.Privacy.MatchReviewedConsumer, TalentMatch.Profiles.Privacy.MatchReviewedConsumerDefinition>();
    bus.AddConsumer<TalentMatch.Profiles.Privacy.AccountDeletedConsumer, TalentMatch.Profiles.Privacy.AccountDeletedConsumerDefinition>();
});
ProfilesApi.ConsentNoticeVersion = builder.Configuration["Consent:NoticeVersion"] ?? ProfilesApi.ConsentNoticeVersion;
builder.Services.AddProfiles();

var app = builder.Build();
app.MapServiceDefaults();
app.MapProfilesApi();
app.MapReferenceDataApi();
app.Run();

public partial class Program;
