using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using TalentMatch.Testing;
using static Microsoft.Playwright.Assertions;

namespace TalentMatch.Web.BrowserTests;

/// <summary>
/// Notices in a real browser against the real services: an ambassador endorses a match (through the API, as the other
/// journeys set up their data), and the institution's HR office finds the endorsement on its notices page with the
/// position's title, the unread count in the menu and a link to the endorsed candidates; it turns the endorsement
/// notices off (the identity service agrees, and a reload still shows the switch off), marks all read, and reads the
/// page in Chinese. An administrator, who gets no notices, sees the empty state and all three switches.
/// </summary>
public sealed class NoticesJourneyTests(WebPlatform platform) : IClassFixture<WebPlatform>
{
    private const string Institute = "c5900272-f402-555f-a76f-adc691de5ea7";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    static NoticesJourneyTests() => SetDefaultExpectTimeout(30_000);

    private static ILocator Switch(IPage page, string kind) =>
        page.Locator($"input[data-testid=notice-setting-{kind}], [data-testid=notice-setting-{kind}] input");

    [Fact]
    public async Task An_hr_office_reads_its_endorsement_notice_turns_endorsement_notices_off_and_marks_all_read()
    {
        try
        {
            await JourneyAsync();
        }
        catch
        {
            await platform.SaveFailureScreenshotsAsync("notices");
            throw;
        }
    }

    private async Task JourneyAsync()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var institution = Guid.Parse(Institute);
        var hrEmail = $"hr.{run}@example.org";
        var (_, hrToken) = await platform.Services.StaffAsync("hr", hrEmail, institution);
        var (_, ambassadorToken) = await platform.Services.StaffAsync("ambassador", institution);
        var (researcher, researcherToken) = await platform.Services.ResearcherAsync($"researcher.{run}@example.org");
        var profile = new JsonObject
        {
            ["fullName"] = $"Liu Yang {run}", ["email"] = $"researcher.{run}@example.org", ["researchFields"] = new JsonArray("MED.IMMUNO"),
            ["skills"] = new JsonArray("flow cytometry"),
            ["degrees"] = new JsonArray(new JsonObject { ["level"] = "doctorate", ["field"] = "MED.IMMUNO", ["institution"] = "Chongqing Medical University", ["year"] = 2015 }),
            ["careerStage"] = "R3", ["yearsOfExperience"] = 9, ["publicationsCount"] = 24, ["preferredCities"] = new JsonArray("Chongqing"),
            ["employmentModes"] = new JsonArray("full-time"), ["consentToMatching"] = true,
        };
        var created = await platform.Services.Profiles.NewClient(researcherToken).PostAsJsonAsync("/api/profiles", profile);
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var title = $"Translational immunology PI {run}";
        var posted = await platform.Services.Positions.NewClient(hrToken).PostAsJsonAsync("/api/positions", new JsonObject
        {
            ["institutionId"] = Institute, ["title"] = title, ["city"] = "Chongqing", ["researchFields"] = new JsonArray("MED.IMMUNO"),
            ["requiredSkills"] = new JsonArray("flow cytometry"), ["minimumDegree"] = "doctorate", ["careerStageMin"] = "R2", ["careerStageMax"] = "R3",
            ["minimumYears"] = 3, ["employmentMode"] = "full-time", ["headcount"] = 1,
        });
        Assert.True(posted.StatusCode == HttpStatusCode.Created, await posted.Content.ReadAsStringAsync());
        var position = (await posted.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();

        // The ambassador endorses the researcher's proposed match; identity tells the institution's HR office.
        var matching = platform.Services.Matching.NewClient(ambassadorToken);
        var queue = await Eventually.Get(async () => await matching.GetFromJsonAsync<JsonObject>($"/api/reviews?positionId={position}&status=proposed"),
            q => q!["items"]!.AsArray().Any(i => i!["profileId"]!.GetValue<Guid>() == researcher), Wait, "the researcher proposed for the position");
        var match = queue!["items"]!.AsArray().First(i => i!["profileId"]!.GetValue<Guid>() == researcher)!["id"]!.GetValue<Guid>();
        var decided = await matching.PostAsJsonAsync($"/api/reviews/{match}/decision", new { decision = "endorse" });
        Assert.True(decided.IsSuccessStatusCode, await decided.Content.ReadAsStringAsync());
        var identity = platform.Services.Identity.NewClient(hrToken);
        await Eventually.True(async () =>
        {
            var notices = await identity.GetFromJsonAsync<JsonObject>("/api/me/notices");
            return notices!["items"]!.AsArray().Any(n => n!["kind"]!.GetValue<string>() == "endorsement" && n["matchId"]!.GetValue<Guid>() == match);
        }, Wait, "the HR office's endorsement notice");

        // 1. The HR office signs in: the menu counts the unread notice; the page names the position and links to its candidates.
        var hr = await platform.NewPageAsync("en-US");
        await ProviderSignIn.SignInAsync(platform, hr, hrEmail, Platform.StaffPassword, "Test hr", ProviderTexts.English, "notices-hr");
        await Expect(hr.Locator("[data-testid=nav-notices-badge] .mud-badge")).ToHaveTextAsync("1");
        await hr.GetByTestId("nav-notices").ClickAsync();
        await Expect(hr.GetByRole(AriaRole.Heading, new() { Name = "Notices", Level = 1 })).ToBeVisibleAsync();
        var notice = hr.Locator($"[data-testid=notice][data-position='{position}']");
        await Expect(notice).ToHaveCountAsync(1);
        await Expect(notice.GetByTestId("notice-text")).ToHaveTextAsync($"A candidate was endorsed for “{title}”");
        await Expect(notice).ToHaveAttributeAsync("data-unread", "true");
        await Expect(notice.GetByTestId("notice-unread")).ToBeVisibleAsync();
        var row = hr.Locator("tr").Filter(new() { Has = notice });
        await Expect(row.GetByTestId("notice-link")).ToHaveAttributeAsync("href", $"/positions/{position}/candidates");
        await Expect(Switch(hr, "endorsements")).ToBeCheckedAsync();
        await Expect(Switch(hr, "recommendations")).ToHaveCountAsync(0);
        await Expect(Switch(hr, "proposals")).ToHaveCountAsync(0);
        await WebPlatform.CheckPageAsync(hr, "notices-01-hr-list");

        // 2. Endorsement notices off: confirmed, stored by the identity service, and still off after a reload.
        await Switch(hr, "endorsements").UncheckAsync();
        await Expect(hr.Locator(".mud-snackbar")).ToContainTextAsync("you will no longer get these notices");
        await Eventually.True(async () =>
            (await identity.GetFromJsonAsync<JsonObject>("/api/me/notice-settings"))!["endorsements"]!.GetValue<bool>() == false, Wait, "the setting stored");
        var settings = (await identity.GetFromJsonAsync<JsonObject>("/api/me/notice-settings"))!;
        Assert.True(settings["recommendations"]!.GetValue<bool>());
        Assert.True(settings["proposals"]!.GetValue<bool>());
        await WebPlatform.CheckPageAsync(hr, "notices-02-switched-off");
        await hr.ReloadAsync();
        await Expect(notice).ToHaveCountAsync(1);
        await Expect(Switch(hr, "endorsements")).Not.ToBeCheckedAsync();

        // 3. Mark all read: the marks and the menu's badge go, and the service has nothing unread.
        await hr.GetByTestId("mark-all-read").ClickAsync();
        await Expect(notice).ToHaveAttributeAsync("data-unread", "false");
        await Expect(hr.GetByTestId("notice-unread")).ToHaveCountAsync(0);
        await Expect(hr.Locator("[data-testid=nav-notices-badge] .mud-badge")).ToHaveCountAsync(0);
        await Expect(hr.GetByTestId("mark-all-read")).ToBeDisabledAsync();
        Assert.Equal(0, (await identity.GetFromJsonAsync<JsonObject>("/api/me/notices"))!["unread"]!.GetValue<long>());

        // 4. The same page in Chinese.
        await hr.GetByTestId("lang-zh-CN").ClickAsync();
        await Expect(hr.GetByRole(AriaRole.Heading, new() { Name = "通知", Level = 1 })).ToBeVisibleAsync();
        await Expect(notice.GetByTestId("notice-text")).ToHaveTextAsync($"有候选人被推荐到职位:“{title}”");
        await Expect(Switch(hr, "endorsements")).Not.ToBeCheckedAsync();
        await WebPlatform.CheckPageAsync(hr, "notices-03-zh-CN");

        // 5. An administrator gets no notices: the empty state says what will appear, with every switch.
        var admin = await platform.NewPageAsync("en-US");
        await ProviderSignIn.SubmitSignInAsync(platform, admin, Platform.AdminEmail, Platform.AdminPassword, ProviderTexts.English, "notices-admin-provider");
        await Expect(admin.GetByTestId("user-name")).ToBeVisibleAsync();
        await admin.GetByTestId("nav-notices").ClickAsync();
        await Expect(admin.GetByTestId("empty-state")).ToContainTextAsync("No notices yet");
        await Expect(admin.GetByTestId("empty-state")).ToContainTextAsync("New matches waiting for your review");
        foreach (var kind in new[] { "recommendations", "proposals", "endorsements" }) { await Expect(Switch(admin, kind)).ToBeCheckedAsync(); }
        await WebPlatform.CheckPageAsync(admin, "notices-04-admin-empty");
    }
}
