using TalentMatch.Web;

var builder = WebApplication.CreateBuilder(args);
builder.AddTalentMatchWeb();
var app = builder.Build();
app.UseTalentMatchWeb();
app.Run();

/// <summary>The entry point, visible to tests that host the app.</summary>
public partial class Program;
