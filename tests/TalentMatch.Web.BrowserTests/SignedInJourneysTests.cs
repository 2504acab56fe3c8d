using System.Net.Http.Json;
using Microsoft.Playwright;
using TalentMatch.Testing;
using static Microsoft.Playwright.Assertions;

namespace TalentMatch.Web.BrowserTests;

/// <summary>
/// Signing in through the web app in a real browser: the app's sign-in button, the identity provider's own sign-in
/// page, back in the app as the role the account has, and signing out of both. The accounts come from the platform as
/// in the other tests (the administrator creates staff; researchers sign up and confirm with the mailed link).
/// </summary>
public sealed class SignedInJourneysTests(WebPlatform platform) : IClassFixture<WebPlatform>
{
    private const string ResearcherPassword = "a-researcher-password-01";

    static SignedInJourneysTests() => SetDefaultExpectTimeout(30_000);

    private static readonly ProviderTexts English = ProviderTexts.English;
    private static readonly ProviderTexts Chinese = ProviderTexts.Chinese;

    /// <summary>One of the institutions the positions service knows (staff belong to one).</summary>
    private async Task<Guid> InstitutionAsync()
    {
        var institutions = await platform.Services.Positions.Client.GetFromJsonAsync<System.Text.Json.Nodes.JsonArray>("/api/institutions");
        return Guid.Parse(institutions![0]!["id"]!.GetValue<string>());
    }

    private string IdentityUrl => platform.IdentityUrl;

    private Task SubmitSignInAsync(IPage page, string email, string password, ProviderTexts texts, string screenshot) =>
        ProviderSignIn.SubmitSignInAsync(platform, page, email, password, texts, screenshot);

    private Task SignInAsync(IPage page, string email, string password, string name, ProviderTexts texts, string screenshot) =>
        ProviderSignIn.SignInAsync(platform, page, email, password, name, texts, screenshot);

    private static Task SignOutAsync(IPage page) => ProviderSignIn.SignOutAsync(page);

    [Fact]
    public async Task An_hr_office_signs_in_sees_positions_in_its_menu_and_signs_out_of_the_app_and_the_provider()
    {
        var email = $"hr.{Guid.NewGuid():N}@example.org";
        await platform.Services.StaffAsync("hr", email, await InstitutionAsync());
        var page = await platform.NewPageAsync("en-US");

        await SignInAsync(page, email, Platform.StaffPassword, "Test hr", English, "hr-sign-in");
        var menu = page.GetByRole(AriaRole.Navigation, new() { Name = "Main menu" });
        await Expect(menu.GetByRole(AriaRole.Link, new() { Name = "Positions" })).ToBeVisibleAsync();
        await Expect(menu.GetByRole(AriaRole.Link, new() { Name = "New position" })).ToBeVisibleAsync();
        await Expect(menu.GetByRole(AriaRole.Link, new() { Name = "Review queue" })).ToHaveCountAsync(0);
        await Expect(menu.GetByRole(AriaRole.Link, new() { Name = "My profile" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Positions", Level = 2 })).ToBeVisibleAsync();
        await WebPlatform.CheckPageAsync(page, "hr-home");

        await SignOutAsync(page);
        await WebPlatform.CheckPageAsync(page, "hr-signed-out");

        // The provider's session ended too: a page that needs a sign-in leads to the provider's page again.
        await page.GotoAsync("/positions");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = English.Heading, Level = 1 })).ToBeVisibleAsync();
        Assert.StartsWith(IdentityUrl + "account/login", page.Url);
    }

    [Fact]
    public async Task An_ambassador_signs_in_sees_the_review_queue_in_its_menu_and_signs_out()
    {
        var email = $"ambassador.{Guid.NewGuid():N}@example.org";
        await platform.Services.StaffAsync("ambassador", email, await InstitutionAsync());
        var page = await platform.NewPageAsync("en-US");

        await SignInAsync(page, email, Platform.StaffPassword, "Test ambassador", English, "ambassador-sign-in");
        var menu = page.GetByRole(AriaRole.Navigation, new() { Name = "Main menu" });
        await Expect(menu.GetByRole(AriaRole.Link, new() { Name = "Review queue" })).ToBeVisibleAsync();
        await Expect(menu.GetByRole(AriaRole.Link, new() { Name = "Positions" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Review queue", Level = 2 })).ToBeVisibleAsync();
        await WebPlatform.CheckPageAsync(page, "ambassador-home");

        await SignOutAsync(page);
    }

    [Fact]
    public async Task A_confirmed_researcher_signs_in_and_reaches_the_profile_page()
    {
        var email = $"researcher.{Guid.NewGuid():N}@example.org";
        await platform.Services.SignUpAsync(email, ResearcherPassword);
        var page = await platform.NewPageAsync("en-US");

        await SignInAsync(page, email, ResearcherPassword, email, English, "researcher-sign-in");
        var menu = page.GetByRole(AriaRole.Navigation, new() { Name = "Main menu" });
        await menu.GetByRole(AriaRole.Link, new() { Name = "My profile" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "My profile", Level = 1 })).ToBeVisibleAsync();
        Assert.EndsWith("/profile", page.Url);
        await Expect(page.GetByTestId("user-name")).ToHaveTextAsync(email);
        await WebPlatform.CheckPageAsync(page, "researcher-profile-loading");
        // The (empty) profile is read with the session's token and the editor's first step shown.
        await Expect(page.Locator(".mud-progress-linear")).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 2 }).First).ToBeVisibleAsync();
        await WebPlatform.CheckPageAsync(page, "researcher-profile");
        await SignOutAsync(page);
    }

    [Fact]
    public async Task A_researcher_who_did_not_confirm_the_address_is_asked_to_on_the_providers_page()
    {
        var email = $"researcher.{Guid.NewGuid():N}@example.org";
        var signUp = await platform.Services.Identity.NewClient(null).PostAsJsonAsync("/api/auth/signup", new { email, password = ResearcherPassword });
        Assert.Equal(System.Net.HttpStatusCode.Accepted, signUp.StatusCode);
        var page = await platform.NewPageAsync("en-US");

        await SubmitSignInAsync(page, email, ResearcherPassword, English, "unconfirmed-provider");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Please confirm your e-mail address first");
        Assert.StartsWith(IdentityUrl + "account/login", page.Url);
        await WebPlatform.CheckPageAsync(page, "unconfirmed-hint");

        // Still signed out of the app.
        await page.GotoAsync(platform.BaseUrl + "/");
        await Expect(page.GetByTestId("sign-in")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_chinese_browser_signs_in_in_chinese_on_the_provider_and_in_the_app()
    {
        var email = $"hr.{Guid.NewGuid():N}@example.org";
        await platform.Services.StaffAsync("hr", email, await InstitutionAsync());
        var page = await platform.NewPageAsync("zh-CN");

        await SignInAsync(page, email, Platform.StaffPassword, "Test hr", Chinese, "zh-CN-sign-in");
        Assert.Equal("zh-CN", await page.GetAttributeAsync("html", "lang"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "欢迎使用 TalentMatch", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "职位", Level = 2 })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("sign-out")).ToHaveTextAsync("退出");
        await WebPlatform.CheckPageAsync(page, "zh-CN-hr-home");

        await SignOutAsync(page);
        await Expect(page.GetByTestId("sign-in")).ToHaveTextAsync("登录");
    }

    [Fact]
    public async Task An_administrator_creates_an_hr_office_who_can_sign_in_disables_it_and_sees_the_models_and_a_refused_retrain()
    {
        var institution = await InstitutionAsync();
        var admin = await platform.NewPageAsync("en-US");
        await SubmitSignInAsync(admin, Platform.AdminEmail, Platform.AdminPassword, English, "admin-sign-in");
        await Expect(admin.GetByTestId("user-name")).ToBeVisibleAsync();
        await admin.GetByTestId("nav-accounts").ClickAsync();
        await Expect(admin.GetByTestId("create-account")).ToBeVisibleAsync();
        await WebPlatform.CheckPageAsync(admin, "admin-accounts");

        // A new HR office of one institution, created on the page.
        var email = $"hr.{Guid.NewGuid():N}@example.org";
        await admin.GetByTestId("account-email").FillAsync(email);
        await admin.GetByTestId("account-name").FillAsync("Zhang HR");
        await admin.GetByTestId("account-password").FillAsync(Platform.StaffPassword);
        await admin.Locator(".mud-input-control").Filter(new() { Has = admin.GetByTestId("account-institutions") }).Locator(".mud-select-input, .mud-input-slot").First.ClickAsync();
        var institutionName = (await platform.Services.Positions.Client.GetFromJsonAsync<System.Text.Json.Nodes.JsonArray>("/api/institutions"))!
            .First(i => i!["id"]!.GetValue<Guid>() == institution)!["nameEn"]!.GetValue<string>();
        await admin.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = institutionName }).First.ClickAsync();
        await WebPlatform.CloseMultiSelectAsync(admin);
        await admin.GetByTestId("create-account").ClickAsync();
        var row = admin.Locator("tr").Filter(new() { Has = admin.GetByTestId("account-row-email").GetByText(email, new() { Exact = true }) });
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row.GetByTestId("account-row-status")).ToHaveTextAsync("Active");
        await WebPlatform.CheckPageAsync(admin, "admin-account-created");

        // The HR office signs in with it and gets the positions.
        var hr = await platform.NewPageAsync("en-US");
        await SignInAsync(hr, email, Platform.StaffPassword, "Zhang HR", English, "admin-created-hr");
        await Expect(hr.GetByRole(AriaRole.Navigation, new() { Name = "Main menu" }).GetByRole(AriaRole.Link, new() { Name = "Positions" })).ToBeVisibleAsync();

        // Disabled, it cannot sign in again (the provider's answer for a wrong password).
        await row.GetByTestId("account-toggle").ClickAsync();
        await Expect(row.GetByTestId("account-row-status")).ToHaveTextAsync("Disabled");
        var again = await platform.NewPageAsync("en-US");
        await SubmitSignInAsync(again, email, Platform.StaffPassword, English, "admin-disabled-hr");
        await Expect(again.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        Assert.StartsWith(IdentityUrl + "account/login", again.Url);

        // The model registry, and a retrain that shows its progress until the service refuses it for want of labels.
        await admin.GetByTestId("nav-models").ClickAsync();
        await Expect(admin.GetByRole(AriaRole.Heading, new() { Name = "Models", Level = 1 })).ToBeVisibleAsync();
        var models = await (platform.Services.Matching.NewClient(await platform.Services.AdminTokenAsync())).GetFromJsonAsync<System.Text.Json.Nodes.JsonArray>("/api/models");
        await Expect(admin.Locator("tbody tr")).ToHaveCountAsync(Math.Max(1, models!.Count));
        if (models.Count > 0) { await Expect(admin.GetByTestId("ndcg-chart")).ToBeVisibleAsync(); }
        await WebPlatform.CheckPageAsync(admin, "admin-models");
        await admin.GetByTestId("retrain").ClickAsync();
        await Expect(admin.GetByTestId("problem")).ToContainTextAsync("Too few labelled matches");
        await Expect(admin.GetByTestId("problem")).ToContainTextAsync("decided matches over at least");
        await Expect(admin.GetByTestId("training")).ToHaveCountAsync(0);
        await Expect(admin.GetByTestId("retrain")).ToBeEnabledAsync();
        await WebPlatform.CheckPageAsync(admin, "admin-retrain-refused");

        // The error queues of every service's receive endpoints, counted on the broker: none has a dead letter here.
        await admin.GetByTestId("nav-queues").ClickAsync();
        await Expect(admin.Locator("[data-testid=error-queue-row][data-queue='profile-registered'] [data-testid=error-queue-count]")).ToHaveTextAsync("0");
        Assert.True(await admin.GetByTestId("error-queue-row").CountAsync() >= 4, "the endpoints of matching, profiles and the others");
        await Expect(admin.GetByTestId("empty-state")).ToBeVisibleAsync();
        await WebPlatform.CheckPageAsync(admin, "admin-error-queues");
    }

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    [Fact]
    public async Task A_researcher_starts_the_profile_from_a_json_resume_file_and_corrects_it_before_saving()
    {
        var email = $"researcher.{Guid.NewGuid():N}@example.org";
        await platform.Services.SignUpAsync(email, ResearcherPassword);
        var page = await platform.NewPageAsync("en-US");
        await SignInAsync(page, email, ResearcherPassword, email, English, "resume-sign-in");
        await page.GotoAsync("/profile");
        await Expect(page.GetByTestId("resume-import")).ToBeVisibleAsync();
        await WebPlatform.CheckPageAsync(page, "resume-before");

        await page.GetByTestId("resume-file").SetInputFilesAsync(Fixture("json-resume-researcher.json"));
        await Expect(page.GetByTestId("imported")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("resume-import")).ToHaveCountAsync(0);
        await Expect(page.Locator("input[data-testid=fullName], [data-testid=fullName] input").First).ToHaveValueAsync("Liu Yang");
        await Expect(page.Locator("input[data-testid=orcid], [data-testid=orcid] input").First).ToHaveValueAsync("0000-0002-1825-0097");
        await WebPlatform.CheckPageAsync(page, "resume-imported");

        // Stored as the caller's profile, without consent until the researcher gives it; the editor saves the correction.
        var id = (await platform.Services.Identity.NewClient(await platform.Services.AdminTokenAsync())
            .GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"/api/accounts?search={Uri.EscapeDataString(email)}"))!["items"]![0]!["userId"]!.GetValue<string>();
        var profiles = platform.Services.Profiles.NewClient(await platform.Services.AdminTokenAsync());
        var stored = (await profiles.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"/api/profiles/{id}"))!;
        Assert.Equal("Liu Yang", stored["fullName"]!.GetValue<string>());
        Assert.False(stored["consentToMatching"]!.GetValue<bool>());
        var name = page.Locator("input[data-testid=fullName], [data-testid=fullName] input").First;
        await name.FillAsync("Liu Yang (刘洋)");
        await name.PressAsync("Tab");
        await page.GetByTestId("save-profile").ClickAsync();
        await Expect(page.GetByTestId("saved-at")).ToBeVisibleAsync();
        Assert.Equal("Liu Yang (刘洋)", (await profiles.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"/api/profiles/{id}"))!["fullName"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_hr_office_imports_a_job_posting_as_a_draft_of_its_institution_and_opens_it()
    {
        var institutions = (await platform.Services.Positions.Client.GetFromJsonAsync<System.Text.Json.Nodes.JsonArray>("/api/institutions"))!;
        var shenzhenBay = Guid.Parse(institutions.First(i => i!["nameEn"]!.GetValue<string>().Contains("Shenzhen Bay", StringComparison.Ordinal))!["id"]!.GetValue<string>());
        var email = $"hr.{Guid.NewGuid():N}@example.org";
        await platform.Services.StaffAsync("hr", email, shenzhenBay);
        var page = await platform.NewPageAsync("en-US");
        await SignInAsync(page, email, Platform.StaffPassword, "Test hr", English, "posting-sign-in");
        await page.GotoAsync("/positions/new");
        await Expect(page.GetByTestId("posting-import")).ToBeVisibleAsync();

        await page.GetByTestId("posting-file").SetInputFilesAsync(Fixture("job-posting-shenzhen-bay.jsonld"));
        await page.WaitForURLAsync("**/positions/*/edit?imported=true");
        await Expect(page.GetByTestId("imported")).ToBeVisibleAsync();
        await Expect(page.Locator("input[data-testid=title], [data-testid=title] input").First).ToHaveValueAsync("Postdoctoral researcher");
        await WebPlatform.CheckPageAsync(page, "posting-imported");
        var id = Guid.Parse(new Uri(page.Url).Segments[^2].TrimEnd('/'));
        var positions = platform.Services.Positions.NewClient(await platform.Services.AdminTokenAsync());
        var stored = (await positions.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"/api/positions/{id}"))!;
        Assert.Equal("draft", stored["status"]!.GetValue<string>());
        Assert.Equal(shenzhenBay, stored["institutionId"]!.GetValue<Guid>());

        await page.GetByTestId("open-position").ClickAsync();
        await Eventually.True(async () => (await positions.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"/api/positions/{id}"))!["status"]!.GetValue<string>() == "open",
            TimeSpan.FromSeconds(30), "the imported draft opened");
    }

    [Fact]
    public async Task An_administrator_bulk_imports_profiles_and_sees_the_progress_and_each_rejected_line()
    {
        // 200 generated profiles, with line 50 missing its name and line 120 not JSON at all.
        var lines = new TalentMatch.SyntheticData.ProfileGenerator(20261204).Generate(200).Select(p => TalentMatch.SyntheticData.ApiPayloads.Profile(p).ToJsonString()).ToList();
        var broken = System.Text.Json.Nodes.JsonNode.Parse(lines[49])!.AsObject();
        broken.Remove("fullName");
        lines[49] = broken.ToJsonString();
        lines[119] = "{ not json";
        var file = Path.Combine(Path.GetTempPath(), $"profiles-{Guid.NewGuid():N}.ndjson");
        await File.WriteAllLinesAsync(file, lines);
        var before = await ProfileCountAsync();

        var admin = await platform.NewPageAsync("en-US");
        await SubmitSignInAsync(admin, Platform.AdminEmail, Platform.AdminPassword, English, "bulk-sign-in");
        await admin.GetByTestId("nav-import").ClickAsync();
        await Expect(admin.GetByTestId("bulk-file")).ToBeVisibleAsync();
        await WebPlatform.CheckPageAsync(admin, "bulk-import");
        await admin.GetByTestId("bulk-file").SetInputFilesAsync(file);

        await Expect(admin.GetByTestId("bulk-summary")).ToContainTextAsync("198 profiles imported, 2 lines rejected", new() { Timeout = 120_000 });
        await Expect(admin.GetByTestId("bulk-progress")).ToContainTextAsync("Processed 200 lines");
        await Expect(admin.Locator("[data-testid=bulk-error][data-line='50']")).ToContainTextAsync("fullName");
        await Expect(admin.Locator("[data-testid=bulk-error][data-line='120']")).ToHaveCountAsync(1);
        await WebPlatform.CheckPageAsync(admin, "bulk-import-done");
        Assert.Equal(before + 198, await ProfileCountAsync());
        File.Delete(file);
    }

    private async Task<long> ProfileCountAsync() =>
        (await platform.Services.Profiles.NewClient(await platform.Services.AdminTokenAsync())
            .GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>("/api/profiles?pageSize=1"))!["total"]!.GetValue<long>();
}
