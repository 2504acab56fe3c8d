using TalentMatch.Hosting.Messaging;
using TalentMatch.Hosting.Persistence;
using TalentMatch.Hosting.Web;
using TalentMatch.Matching;
using TalentMatch.Matching.Answers;
using TalentMatch.Matching.Campaigns;
using TalentMatch.Matching.Learning;
using TalentMatch.Matching.Privacy;
using TalentMatch.Matching.ReadModel;
using TalentMatch.Matching.Reviews;
using TalentMatch.Matching.Shortlists;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddServiceDatabase<MatchingDbContext>();
builder.AddLearning();
builder.AddServiceMessaging<MatchingDbContext>(bus =>
{
    bus.AddMatchingConsumers();
    bus.AddPrivacyConsumers();
});
builder.Services.AddShortlists();
builder.Services.AddReviews();
builder.Services.AddAnswers();

var app = builder.Build();
app.MapServiceDefaults();
app.MapCandidatesApi();
app.MapShortlistsApi();
app.MapReviewsApi();
app.MapAnswersApi();
app.MapCampaignsApi();
app.MapLearningApi();
app.Run();

public partial class Program;
