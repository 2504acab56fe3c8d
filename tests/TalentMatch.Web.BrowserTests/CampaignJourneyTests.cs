using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using TalentMatch.Testing;
using static Microsoft.Playwright.Assertions;

namespace TalentMatch.Web.BrowserTests;

/// <summary>
/// Recruitment campaigns in a real browser against the real services: an administrator creates a campaign (a refused
/// save first, shown on its field), the participating institution's HR office attaches its position, and the campaign
/// shows the position, the assignment (computed on request) and the funnel, with its CSV download; and a researcher
/// answers recommendations (interested with a rank, then not interested with a reason: the position leaves the list).
/// </summary>
public sealed class CampaignJourneyTests(WebPlatform platform) : IClassFixture<WebPlatform>
{
    private const string ResearcherPassword = "a-researcher-password-01";
    private const string Institute = "c5900272-f402-555f-a76f-adc691de5ea7";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    static CampaignJourneyTests() => SetDefaultExpectTimeout(30_000);

    private static JsonObject PositionBody(string title, string field) => new()
    {
        ["institutionId"] = Institute,
        ["title"] = title,
        ["city"] = "Chongqing",
        ["researchFields"] = new JsonArray(field),
        ["requiredSkills"] = new JsonArray("flow cytometry"),
        ["minimumDegree"] = "doctorate",
        ["careerStageMin"] = "R2",
        ["careerStageMax"] = "R3",
        ["minimumYears"] = 3,
        ["employmentMode"] = "full-time",
        ["headcount"] = 1,
    };

    private static async Task<Guid> CreateAsync(HttpClient client, string path, JsonObject body)
    {
        var response = await client.PostAsJsonAsync(path, body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
    }

    /// <summary>The error text MudBlazor shows under the field with this test id.</summary>
    private static ILocator FieldError(IPage page, string testId) =>
        page.Locator(".mud-input-control").Filter(new() { Has = page.GetByTestId(testId) }).Locator(".mud-input-helper-text.mud-input-error");

    private static async Task Fill(ILocator field, string value)
    {
        var input = await field.EvaluateAsync<bool>("e => e.tagName === 'INPUT' || e.tagName === 'TEXTAREA'") ? field : field.Locator("input, textarea").First;
        await input.FillAsync(value);
        await input.PressAsync("Tab");
    }

    private static async Task OpenSelectAsync(IPage page, string testId) =>
        await page.Locator(".mud-input-control").Filter(new() { Has = page.GetByTestId(testId) }).Locator(".mud-select-input, .mud-input-slot").First.ClickAsync();

    [Fact]
    public async Task An_administrator_creates_a_campaign_an_hr_office_attaches_a_position_and_the_campaign_shows_assignment_and_funnel()
    {
        try
        {
            await CampaignJourneyAsync();
        }
        catch
        {
            await platform.SaveFailureScreenshotsAsync("campaign");
            throw;
        }
    }

    private async Task CampaignJourneyAsync()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var hrEmail = $"hr.{run}@example.org";
        var (_, hrToken) = await platform.Services.StaffAsync("hr", hrEmail, Guid.Parse(Institute));
        var title = $"Tumour immunology PI {run}";
        var position = await CreateAsync(platform.Services.Positions.NewClient(hrToken), "/api/positions", PositionBody(title, "MED.IMMUNO"));
        var institutionName = (await platform.Services.Positions.Client.GetFromJsonAsync<JsonArray>("/api/institutions"))!
            .First(i => i!["id"]!.GetValue<string>() == Institute)!["nameEn"]!.GetValue<string>();

        // 1. The administrator opens the campaigns and a new campaign; saving it empty is refused on its fields.
        var admin = await platform.NewPageAsync("en-US");
        await ProviderSignIn.SubmitSignInAsync(platform, admin, Platform.AdminEmail, Platform.AdminPassword, ProviderTexts.English, "campaign-admin-provider");
        await Expect(admin.GetByTestId("user-name")).ToBeVisibleAsync();
        await admin.GetByTestId("nav-campaigns").ClickAsync();
        await Expect(admin.GetByRole(AriaRole.Heading, new() { Name = "Campaigns", Level = 1 })).ToBeVisibleAsync();
        await Expect(admin.GetByTestId("campaigns-table")).ToBeVisibleAsync();
        await WebPlatform.CheckPageAsync(admin, "campaign-01-list");
        await admin.GetByTestId("new-campaign").ClickAsync();
        await Expect(admin.GetByTestId("save-campaign")).ToBeVisibleAsync();
        await admin.GetByTestId("save-campaign").ClickAsync();
        await Expect(FieldError(admin, "nameEn")).ToBeVisibleAsync();
        await Expect(FieldError(admin, "institutionIds")).ToContainTextAsync("participating institution");
        await Expect(FieldError(admin, "targetHires")).ToBeVisibleAsync();
        await WebPlatform.CheckPageAsync(admin, "campaign-02-refused");

        // 2. Filled in, it is created and its page opens.
        var name = $"Chongqing talent campaign {run}";
        await Fill(admin.GetByTestId("nameEn"), name);
        await Fill(admin.GetByTestId("nameZh"), $"重庆英才计划 {run}");
        await Fill(admin.GetByTestId("organiser.nameEn"), "Chongqing Talent Office");
        await Fill(admin.GetByTestId("organiser.nameZh"), "重庆市人才工作办公室");
        await OpenSelectAsync(admin, "institutionIds");
        await admin.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = institutionName }).First.ClickAsync();
        await WebPlatform.CloseMultiSelectAsync(admin);
        await Fill(admin.GetByTestId("targetHires"), "5");
        await WebPlatform.CheckPageAsync(admin, "campaign-03-form");
        await admin.GetByTestId("save-campaign").ClickAsync();
        await admin.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/campaigns/[0-9a-f-]{36}$"));
        var campaign = Guid.Parse(admin.Url.Split('/')[^1]);
        await Expect(admin.GetByTestId("campaign-name")).ToHaveTextAsync(name);
        await Expect(admin.GetByTestId("campaign-institutions")).ToContainTextAsync(institutionName);
        await Expect(admin.GetByTestId("no-campaign-positions")).ToBeVisibleAsync();
        await Expect(admin.GetByTestId("campaign-detail")).ToHaveAttributeAsync("data-ready", "true");
        await WebPlatform.CheckPageAsync(admin, "campaign-04-created");

        // 3. The institution's HR office finds the campaign in its list and attaches its position.
        var hr = await platform.NewPageAsync("en-US");
        await ProviderSignIn.SignInAsync(platform, hr, hrEmail, Platform.StaffPassword, "Test hr", ProviderTexts.English, "campaign-hr");
        await hr.GetByTestId("nav-campaigns").ClickAsync();
        var row = hr.Locator("tr").Filter(new() { Has = hr.GetByTestId("campaign-row-name").GetByText(name, new() { Exact = true }) });
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row.GetByTestId("campaign-status")).ToHaveAttributeAsync("data-status", "open");
        await WebPlatform.CheckPageAsync(hr, "campaign-05-hr-list");
        await row.GetByTestId("open-campaign").ClickAsync();
        await Expect(hr.GetByTestId("campaign-detail")).ToHaveAttributeAsync("data-ready", "true");
        await OpenSelectAsync(hr, "attach-choice");
        await hr.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = title }).First.ClickAsync();
        await Expect(hr.Locator(".mud-popover-open .mud-list-item")).ToHaveCountAsync(0);
        await hr.GetByTestId("attach-position").ClickAsync();
        await Expect(hr.Locator($"[data-testid=campaign-position][data-position='{position}'] [data-testid=campaign-position-title]")).ToHaveTextAsync(title);
        await Expect(hr.GetByTestId("detach-position")).ToHaveCountAsync(1);
        await Expect(hr.GetByTestId("compute-assignment")).ToHaveCountAsync(0); // the administrators run this campaign
        await WebPlatform.CheckPageAsync(hr, "campaign-06-attached");

        // 4. The administrator's page shows the position, the assignment section and, once matching has the campaign, the funnel.
        await Eventually.True(async () =>
        {
            await admin.ReloadAsync();
            await Expect(admin.GetByTestId("campaign-detail")).ToHaveAttributeAsync("data-ready", "true");
            return await admin.Locator($"[data-testid=funnel-row][data-position='{position}']").CountAsync() == 1;
        }, Wait, "the campaign's funnel with its position");
        await Expect(admin.Locator($"[data-testid=campaign-position][data-position='{position}']")).ToHaveCountAsync(1);
        await Expect(admin.GetByTestId("campaign-assignment")).ToBeVisibleAsync();
        await Expect(admin.Locator("[data-testid=funnel-row][data-level=total]")).ToHaveCountAsync(1);
        await admin.GetByTestId("compute-assignment").ClickAsync();
        await Expect(admin.GetByTestId("assignment-summary")).ToBeVisibleAsync();
        await Expect(admin.GetByTestId("no-offers")).ToBeVisibleAsync(); // nobody endorsed yet
        await WebPlatform.CheckPageAsync(admin, "campaign-07-assignment-funnel");

        // 5. The funnel as CSV, read through the web app with the session's token.
        var download = await admin.RunAndWaitForDownloadAsync(() => admin.GetByTestId("funnel-csv").ClickAsync());
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.StartsWith("level,institution_id,position_id", csv);
        Assert.Contains(position.ToString(), csv);

        // 6. The same page in Chinese.
        await admin.GetByTestId("lang-zh-CN").ClickAsync();
        await Expect(admin.GetByRole(AriaRole.Heading, new() { Name = "招聘漏斗", Level = 2 })).ToBeVisibleAsync();
        await Expect(admin.GetByTestId("campaign-detail")).ToHaveAttributeAsync("data-ready", "true");
        await Expect(admin.Locator("[data-testid=funnel-row][data-level=total] th")).ToHaveTextAsync("整个活动");
        await WebPlatform.CheckPageAsync(admin, "campaign-08-zh-CN");
    }

    [Fact]
    public async Task A_researcher_answers_recommendations_and_a_position_not_of_interest_leaves_the_list()
    {
        try
        {
            await AnswerJourneyAsync();
        }
        catch
        {
            await platform.SaveFailureScreenshotsAsync("answers");
            throw;
        }
    }

    private async Task AnswerJourneyAsync()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var email = $"researcher.{run}@example.org";
        var (researcher, token) = await platform.Services.ResearcherAsync(email, ResearcherPassword);
        var profile = new JsonObject
        {
            ["fullName"] = $"Chen Jing {run}", ["email"] = email, ["researchFields"] = new JsonArray("MED.IMMUNO"),
            ["skills"] = new JsonArray("flow cytometry"),
            ["degrees"] = new JsonArray(new JsonObject { ["level"] = "doctorate", ["field"] = "MED.IMMUNO", ["institution"] = "Chongqing Medical University", ["year"] = 2016 }),
            ["careerStage"] = "R3", ["yearsOfExperience"] = 9, ["publicationsCount"] = 31, ["preferredCities"] = new JsonArray("Chongqing"),
            ["employmentModes"] = new JsonArray("full-time"), ["consentToMatching"] = true,
        };
        var created = await platform.Services.Profiles.NewClient(token).PostAsJsonAsync("/api/profiles", profile);
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var (_, hrToken) = await platform.Services.StaffAsync("hr", Guid.Parse(Institute));
        var hrPositions = platform.Services.Positions.NewClient(hrToken);
        var keep = await CreateAsync(hrPositions, "/api/positions", PositionBody($"Associate researcher {run}", "MED.IMMUNO"));
        var dismiss = await CreateAsync(hrPositions, "/api/positions", PositionBody($"Core facility lead {run}", "MED.IMMUNO"));
        var matching = platform.Services.Matching.NewClient(token);
        async Task<JsonArray> RecommendedAsync() =>
            (await matching.GetFromJsonAsync<JsonObject>($"/api/profiles/{researcher}/recommendations"))!["items"]!.AsArray();
        await Eventually.True(async () =>
        {
            var ids = (await RecommendedAsync()).Select(i => i!["positionId"]!.GetValue<Guid>()).ToHashSet();
            return ids.Contains(keep) && ids.Contains(dismiss);
        }, Wait, "both positions recommended to the researcher");

        var page = await platform.NewPageAsync("en-US");
        await ProviderSignIn.SignInAsync(platform, page, email, ResearcherPassword, email, ProviderTexts.English, "answers-researcher");
        await page.GetByTestId("nav-recommendations").ClickAsync();
        var kept = page.Locator($"[data-testid=recommendation][data-position='{keep}']");
        var dismissed = page.Locator($"[data-testid=recommendation][data-position='{dismiss}']");
        await Expect(kept).ToHaveCountAsync(1);
        await Expect(dismissed).ToHaveCountAsync(1);
        await WebPlatform.CheckPageAsync(page, "answers-01-recommendations");

        // Interested, as first choice: the card shows the answer.
        await Fill(kept.GetByTestId("preference-rank"), "1");
        await kept.GetByTestId("answer-interested").ClickAsync();
        await Expect(kept.GetByTestId("researcher-answer")).ToContainTextAsync("Interested · choice 1");

        // Not interested asks why; without a reason the service refuses, with one the position leaves the list.
        await dismissed.GetByTestId("answer-not-interested").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog.GetByTestId("not-interested-reasons")).ToBeVisibleAsync();
        await dialog.GetByTestId("not-interested-confirm").ClickAsync();
        await Expect(dialog).ToContainTextAsync("Say why");
        await WebPlatform.CheckPageAsync(page, "answers-02-reason-asked");
        await dialog.GetByText("Location", new() { Exact = true }).ClickAsync();
        await dialog.GetByTestId("not-interested-confirm").ClickAsync();
        await Expect(dismissed).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);
        await Expect(kept).ToHaveCountAsync(1);
        await WebPlatform.CheckPageAsync(page, "answers-03-dismissed");

        // Stored: the service leaves the dismissed position out, and keeps the other with its answer.
        var items = await RecommendedAsync();
        Assert.DoesNotContain(items, i => i!["positionId"]!.GetValue<Guid>() == dismiss);
        var answer = items.Single(i => i!["positionId"]!.GetValue<Guid>() == keep)!["answer"]!;
        Assert.Equal("interested", answer["answer"]!.GetValue<string>());
        Assert.Equal(1, answer["preferenceRank"]!.GetValue<int>());
        await page.ReloadAsync();
        await Expect(kept).ToHaveCountAsync(1);
        await Expect(dismissed).ToHaveCountAsync(0);
    }
}
