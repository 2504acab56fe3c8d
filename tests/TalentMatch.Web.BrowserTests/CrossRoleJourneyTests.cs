using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using TalentMatch.Testing;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace TalentMatch.Web.BrowserTests;

/// <summary>
/// The journey the platform exists for, in a real browser against the real services, once in English and once in
/// Chinese: a researcher signs up (confirming by the mailed link) and builds a profile in steps, an HR officer posts a
/// position, the ambassador endorses the proposed match with the keyboard, the HR officer sees the candidate's card
/// without contact, the researcher shares contact with the institution, the HR officer sees the name and records the
/// interview, and the researcher erases profile and account. On the way,
/// the error paths a user meets: a field the service refuses (shown on that field), a stale edit (someone changed the
/// position meanwhile: reload), and a session that expired (sign in again, back on the same page).
/// </summary>
public sealed class CrossRoleJourneyTests(WebPlatform platform, ITestOutputHelper output) : IClassFixture<WebPlatform>
{
    private const string ResearcherPassword = "a-researcher-password-01";
    private const string ValidOrcid = "0000-0002-1825-0097";
    private const string WrongCheckDigitOrcid = "0000-0002-1825-0098";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    static CrossRoleJourneyTests() => SetDefaultExpectTimeout(30_000);

    /// <summary>What the journey reads on screen in one language.</summary>
    private sealed record Texts(string Locale, string Doctorate, string ConflictStart, string QueueDone, string Anonymous, string OrcidError,
        string Interviewed, string EraseButton)
    {
        public ProviderTexts Provider => ProviderTexts.For(Locale);
    }

    private static readonly Dictionary<string, Texts> Languages = new()
    {
        ["en-US"] = new("en-US", "Doctorate", "Someone changed this", "Nothing left in this queue.", "Candidate (contact not shared)", "must be an ORCID iD", "Interviewed", "Erase my profile and account"),
        ["zh-CN"] = new("zh-CN", "博士", "其他人已修改", "此队列已全部审核完毕。", "候选人(未共享联系方式)", "must be an ORCID iD", "已面试", "删除我的档案和账号"),
    };

    [Theory]
    [InlineData("en-US", 0)]
    [InlineData("zh-CN", 1)]
    public async Task A_researcher_an_hr_officer_and_an_ambassador_take_a_match_from_sign_up_to_a_shared_name(string locale, int disciplineIndex)
    {
        try
        {
            await JourneyAsync(locale, disciplineIndex);
        }
        catch
        {
            await platform.SaveFailureScreenshotsAsync($"journey-{locale}");
            throw;
        }
    }

    private async Task JourneyAsync(string locale, int disciplineIndex)
    {
        var texts = Languages[locale];
        var shot = 0;
        async Task Check(IPage page, string name) => await WebPlatform.CheckPageAsync(page, $"journey-{locale}-{++shot:00}-{name}");

        // Each language's run uses its own discipline, so that its position proposes only its own researcher.
        var (discipline, field) = await FieldOfDisciplineAsync(disciplineIndex);
        var institution = await InstitutionAsync(disciplineIndex);
        var run = Guid.NewGuid().ToString("N")[..8];
        var hrEmail = $"hr.{run}@example.org";
        var ambassadorEmail = $"ambassador.{run}@example.org";
        await platform.Services.StaffAsync("hr", hrEmail, institution);
        await platform.Services.StaffAsync("ambassador", ambassadorEmail, institution);

        // 1. The researcher signs up in the app; a too-short password is refused on its field first.
        var researcherEmail = $"researcher.{run}@example.org";
        var fullName = locale == "zh-CN" ? $"王晓明{run}" : $"Wang Xiaoming {run}";
        var researcher = await platform.NewPageAsync(locale);
        await researcher.GotoAsync("/");
        await ProviderSignIn.WaitForAppAsync(researcher);
        await researcher.GetByTestId("home-sign-up").ClickAsync();
        await Expect(researcher.GetByTestId("signup-email")).ToBeVisibleAsync();
        await Check(researcher, "sign-up");
        await Fill(researcher.GetByTestId("signup-email"), researcherEmail);
        await Fill(researcher.GetByTestId("signup-name"), fullName);
        await Fill(researcher.GetByTestId("signup-password"), "too-short");
        await researcher.GetByTestId("signup-submit").ClickAsync();
        await Expect(FieldError(researcher, "signup-password")).ToBeVisibleAsync();
        await Check(researcher, "sign-up-refused");
        await Fill(researcher.GetByTestId("signup-password"), ResearcherPassword);
        await researcher.GetByTestId("signup-submit").ClickAsync();
        await Expect(researcher.GetByTestId("signup-sent")).ToContainTextAsync(researcherEmail);
        await Check(researcher, "sign-up-sent");

        // 2. The mailed link confirms the address; its sign-in link starts in the app and comes back to the profile.
        await researcher.GotoAsync(platform.IdentityUrl.TrimEnd('/') + await platform.Services.Mailbox.LinkAsync(researcherEmail, "/account/confirm"));
        await Check(researcher, "confirmed");
        await researcher.GetByRole(AriaRole.Link, new() { Name = texts.Provider.Button, Exact = true }).ClickAsync();
        await ProviderSignIn.SubmitProviderFormAsync(platform, researcher, researcherEmail, ResearcherPassword, texts.Provider, $"journey-{locale}-{++shot:00}-researcher-provider");
        await Expect(researcher.GetByTestId("user-name")).ToHaveTextAsync(fullName);
        Assert.EndsWith("/profile", researcher.Url);

        // 3. The profile, step by step; the service refuses the ORCID iD's check digit, on that field, and the editor goes there.
        await Expect(researcher.GetByTestId("fullName")).ToBeVisibleAsync();
        await Check(researcher, "profile-about");
        await Expect(researcher.GetByTestId("email")).ToHaveValueAsync(researcherEmail);
        await Fill(researcher.GetByTestId("fullName"), fullName);
        await Fill(researcher.GetByTestId("orcid"), WrongCheckDigitOrcid);
        await researcher.GetByTestId("next-step").ClickAsync();
        await PickFieldAsync(researcher, discipline, field);
        await Check(researcher, "profile-fields");
        await researcher.GetByTestId("next-step").ClickAsync();
        await ChooseAsync(researcher, "degrees[0].level", texts.Doctorate);
        await ChooseAsync(researcher, "degrees[0].field", null);
        await Fill(researcher.GetByTestId("degrees[0].institution"), "Sichuan University");
        await Fill(researcher.GetByTestId("degrees[0].year"), "2014");
        await Check(researcher, "profile-degrees");
        await researcher.GetByTestId("next-step").ClickAsync();
        await ChooseAsync(researcher, "careerStage", "R3 · ");
        await Fill(researcher.GetByTestId("yearsOfExperience"), "9");
        await Check(researcher, "profile-career");
        await researcher.GetByTestId("next-step").ClickAsync();
        await researcher.Locator("input[data-testid=consent], [data-testid=consent] input").CheckAsync();
        await Check(researcher, "profile-preferences");
        await researcher.GetByTestId("save-profile").ClickAsync();
        await Expect(FieldError(researcher, "orcid")).ToContainTextAsync(texts.OrcidError);
        await Expect(researcher.GetByTestId("step-0")).ToContainTextAsync("⚠");
        await Check(researcher, "profile-refused-field");
        await Fill(researcher.GetByTestId("orcid"), ValidOrcid);
        await researcher.GetByTestId("save-profile").ClickAsync();
        await Expect(researcher.GetByTestId("saved-at")).ToBeVisibleAsync();
        await Expect(FieldError(researcher, "orcid")).ToHaveCountAsync(0);
        var researcherId = await AccountIdAsync(researcherEmail);

        // 4. The HR officer posts a position for the same field.
        var hr = await platform.NewPageAsync(locale);
        await ProviderSignIn.SignInAsync(platform, hr, hrEmail, Platform.StaffPassword, "Test hr", texts.Provider, $"journey-{locale}-{++shot:00}-hr");
        await hr.GetByTestId("nav-new-position").ClickAsync();
        var title = $"Principal investigator, {run}";
        await Fill(hr.GetByTestId("title"), title);
        await PickFieldAsync(hr, discipline, field);
        await Fill(hr.GetByTestId("minimumYears"), "3");
        await Check(hr, "position-new");
        await hr.GetByTestId("publish").ClickAsync();
        await hr.WaitForURLAsync("**/positions/*/edit");
        var position = Guid.Parse(hr.Url.Split('/')[^2]);
        await Expect(hr.GetByTestId("title")).ToHaveValueAsync(title);
        await Check(hr, "position-edit");

        // 5. A stale edit: a second tab saves first; this tab's save is refused with "someone changed this, reload".
        var otherTab = await hr.Context.NewPageAsync();
        await otherTab.GotoAsync($"/positions/{position}/edit");
        await Expect(otherTab.GetByTestId("title")).ToHaveValueAsync(title);
        await Fill(otherTab.GetByTestId("title"), title + " (2)");
        await otherTab.GetByTestId("save-position").ClickAsync();
        await Eventually.True(async () => (await PositionTitleAsync(position)) == title + " (2)", Wait, "the other tab's save");
        await otherTab.CloseAsync();
        await Fill(hr.GetByTestId("minimumYears"), "4");
        await hr.GetByTestId("save-position").ClickAsync();
        await Expect(hr.GetByTestId("conflict")).ToContainTextAsync(texts.ConflictStart);
        await Check(hr, "position-conflict");
        Assert.Equal(title + " (2)", await PositionTitleAsync(position)); // the stale save changed nothing
        await hr.GetByTestId("reload").ClickAsync();
        await Expect(hr.GetByTestId("title")).ToHaveValueAsync(title + " (2)");
        await Expect(hr.GetByTestId("conflict")).ToHaveCountAsync(0);

        // 6. The ambassador endorses the proposed match from the keyboard, and the queue says it is done.
        var match = await ProposedMatchAsync(position, researcherId);
        var ambassador = await platform.NewPageAsync(locale);
        await ProviderSignIn.SignInAsync(platform, ambassador, ambassadorEmail, Platform.StaffPassword, "Test ambassador", texts.Provider, $"journey-{locale}-{++shot:00}-ambassador");
        await ambassador.GotoAsync($"/reviews?positionId={position}");
        await Expect(ambassador.GetByTestId("open-review")).ToHaveCountAsync(1);
        await Check(ambassador, "review-queue");
        await ambassador.GetByTestId("open-review").ClickAsync();
        await Expect(ambassador.GetByTestId("position-requirements")).ToContainTextAsync(title + " (2)");
        await Expect(ambassador.GetByTestId("review-screen")).ToBeFocusedAsync();
        await Check(ambassador, "review");
        await ambassador.Keyboard.PressAsync("e");
        await Expect(ambassador.GetByTestId("empty-state")).ToContainTextAsync(texts.QueueDone);
        await Check(ambassador, "review-done");
        var decided = await MatchAsync(position, match, "endorsed");
        Assert.Equal("endorsed", decided["status"]!.GetValue<string>());

        // 7. The HR officer sees the endorsed candidate's card, without name or contact.
        await hr.GotoAsync($"/positions/{position}/candidates");
        var card = hr.GetByTestId("candidate-card");
        await Expect(card).ToHaveCountAsync(1);
        await Expect(card.GetByTestId("candidate-anonymous")).ToHaveTextAsync(texts.Anonymous);
        await Expect(card).Not.ToContainTextAsync(fullName);
        await Expect(card).Not.ToContainTextAsync(researcherEmail);
        await Check(hr, "candidates-anonymous");

        // 8. The researcher shares contact with the position's institution.
        await researcher.GetByTestId("nav-privacy").ClickAsync();
        var row = researcher.Locator($"[data-testid=sharing-row][data-institution='{institution}']");
        await Expect(row).ToHaveCountAsync(1);
        await Check(researcher, "privacy");
        await row.Locator("input[type=checkbox]").CheckAsync();
        await Eventually.True(async () => await SharedWithAsync(researcherId, institution), Wait, "the contact sharing stored");

        // 9. The HR officer sees the name (profiles learns of the endorsement and the sharing by events).
        await Eventually.True(async () =>
        {
            await hr.ReloadAsync();
            await Expect(hr.GetByTestId("candidate-card")).ToHaveCountAsync(1);
            return await hr.GetByTestId("candidate-name").CountAsync() == 1;
        }, Wait, "the candidate's name on the HR officer's card");
        await Expect(hr.GetByTestId("candidate-name")).ToHaveTextAsync(fullName);
        await Expect(card).ToContainTextAsync(researcherEmail);
        await Check(hr, "candidates-named");

        // 10. The HR officer records the interview; the card shows it as the latest outcome, and matching stored it.
        await card.GetByTestId("outcome-interviewed").ClickAsync();
        await Expect(card.GetByTestId("latest-outcome")).ToContainTextAsync(texts.Interviewed);
        Assert.Equal("interviewed", (await MatchAsync(position, match, "endorsed"))["outcome"]?.GetValue<string>());

        // 11. The researcher erases the profile and the account, after a confirmation; the account cannot sign in again.
        await researcher.GetByTestId("erase").ClickAsync();
        await researcher.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = texts.EraseButton }).ClickAsync();
        await Expect(researcher.GetByTestId("erased")).ToBeVisibleAsync();
        await Check(researcher, "erased");
        var gone = await platform.NewPageAsync(locale);
        await ProviderSignIn.SubmitSignInAsync(platform, gone, researcherEmail, ResearcherPassword, texts.Provider, $"journey-{locale}-{++shot:00}-erased-sign-in");
        await Expect(gone.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        Assert.StartsWith(platform.IdentityUrl + "account/login", gone.Url);

        // 12. The HR officer's session expires; the same page asks for a sign-in and comes back to it.
        await hr.Context.ClearCookiesAsync();
        await hr.GotoAsync($"/positions/{position}/candidates");
        await ProviderSignIn.SubmitProviderFormAsync(platform, hr, hrEmail, Platform.StaffPassword, texts.Provider, $"journey-{locale}-{++shot:00}-hr-again");
        await hr.WaitForURLAsync($"**/positions/{position}/candidates");
        await Expect(hr.GetByTestId("candidate-card")).ToHaveCountAsync(1);
        Assert.Equal(locale == "zh-CN" ? "zh-CN" : "en", await hr.GetAttributeAsync("html", "lang"));
        output.WriteLine($"{locale}: {shot} pages checked; position {position}, match {match}");
    }

    private static async Task Fill(ILocator field, string value)
    {
        var input = await field.EvaluateAsync<bool>("e => e.tagName === 'INPUT' || e.tagName === 'TEXTAREA'") ? field : field.Locator("input, textarea").First;
        await input.FillAsync(value);
        await input.PressAsync("Tab"); // MudBlazor's fields take the value on change
    }

    /// <summary>The error text MudBlazor shows under the field with this test id.</summary>
    private static ILocator FieldError(IPage page, string testId) =>
        page.Locator(".mud-input-control").Filter(new() { Has = page.GetByTestId(testId) }).Locator(".mud-input-helper-text.mud-input-error");

    /// <summary>Opens a MudSelect and picks the option whose text starts with the given one (the first option when null).</summary>
    private static async Task ChooseAsync(IPage page, string testId, string? startsWith)
    {
        await page.Locator(".mud-input-control").Filter(new() { Has = page.GetByTestId(testId) }).Locator(".mud-select-input, .mud-input-slot").First.ClickAsync();
        var options = page.Locator(".mud-popover-open .mud-list-item");
        var option = startsWith is null ? options.First : options.Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex("^\\s*" + System.Text.RegularExpressions.Regex.Escape(startsWith)) }).First;
        await option.ClickAsync();
        await Expect(page.Locator(".mud-popover-open .mud-list-item")).ToHaveCountAsync(0);
    }

    /// <summary>In the taxonomy tree: opens the discipline and ticks the field.</summary>
    private static async Task PickFieldAsync(IPage page, string discipline, string field)
    {
        var disciplineRow = page.Locator("[role=treeitem]").Filter(new() { Has = page.Locator($"[data-code='{discipline}']") });
        await disciplineRow.GetByRole(AriaRole.Button).ClickAsync();
        await page.Locator($"input[data-code='{field}'], [data-code='{field}'] input").CheckAsync();
        await Expect(page.GetByTestId("chosen-field")).ToHaveCountAsync(1);
    }

    private async Task<(string Discipline, string Field)> FieldOfDisciplineAsync(int index)
    {
        var taxonomy = (await platform.Services.Profiles.Client.GetFromJsonAsync<JsonArray>("/api/taxonomy"))!;
        var disciplines = taxonomy.Where(f => f!["parentCode"] is null).Select(f => f!["code"]!.GetValue<string>()).ToList();
        var discipline = disciplines[index];
        var field = taxonomy.First(f => f!["parentCode"]?.GetValue<string>() == discipline)!["code"]!.GetValue<string>();
        return (discipline, field);
    }

    private async Task<Guid> InstitutionAsync(int index)
    {
        var institutions = await platform.Services.Positions.Client.GetFromJsonAsync<JsonArray>("/api/institutions");
        return Guid.Parse(institutions![index]!["id"]!.GetValue<string>());
    }

    private async Task<HttpClient> AdminAsync(ServiceProcess service) => service.NewClient(await platform.Services.AdminTokenAsync());

    private async Task<Guid> AccountIdAsync(string email)
    {
        var accounts = await (await AdminAsync(platform.Services.Identity)).GetFromJsonAsync<JsonObject>($"/api/accounts?search={Uri.EscapeDataString(email)}");
        return Guid.Parse(accounts!["items"]!.AsArray().Single()!["userId"]!.GetValue<string>());
    }

    private async Task<string> PositionTitleAsync(Guid position) =>
        (await (await AdminAsync(platform.Services.Positions)).GetFromJsonAsync<JsonObject>($"/api/positions/{position}"))!["title"]!.GetValue<string>();

    private async Task<bool> SharedWithAsync(Guid profile, Guid institution)
    {
        var export = await (await AdminAsync(platform.Services.Profiles)).GetFromJsonAsync<JsonObject>($"/api/profiles/{profile}/export");
        return export!["contactSharing"]?.AsArray().Any(s => s!["institutionId"]!.GetValue<Guid>() == institution) == true;
    }

    private async Task<Guid> ProposedMatchAsync(Guid position, Guid profile)
    {
        var matching = await AdminAsync(platform.Services.Matching);
        var queue = await Eventually.Get(async () => await matching.GetFromJsonAsync<JsonObject>($"/api/reviews?positionId={position}&status=proposed"),
            q => q!["items"]!.AsArray().Any(i => i!["profileId"]!.GetValue<Guid>() == profile), Wait, "the researcher proposed for the position");
        var items = queue!["items"]!.AsArray();
        Assert.Single(items); // this run's discipline: no other researcher passes the position's constraints
        return items[0]!["id"]!.GetValue<Guid>();
    }

    private async Task<JsonObject> MatchAsync(Guid position, Guid match, string status)
    {
        var matching = await AdminAsync(platform.Services.Matching);
        var queue = await matching.GetFromJsonAsync<JsonObject>($"/api/reviews?positionId={position}&status={status}");
        return queue!["items"]!.AsArray().Single(i => i!["id"]!.GetValue<Guid>() == match)!.AsObject();
    }
}
