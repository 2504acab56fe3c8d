using System.Net;
using System.Text.Json;
using AngleSharp.Dom;
using MudBlazor;
using TalentMatch.Web.Api;
using TalentMatch.Web.Components.Layout;
using TalentMatch.Web.Components.Pages;

namespace TalentMatch.Web.Tests;

/// <summary>The campaign screens and the answers, agreements and HR order around them, over fake services.</summary>
public sealed class CampaignScreensTests : WebTest
{
    private static readonly Guid CampaignId = Guid.NewGuid(), PositionId = Guid.NewGuid(), ProfileA = Guid.NewGuid(), ProfileB = Guid.NewGuid(),
        MatchA = Guid.NewGuid(), MatchB = Guid.NewGuid();
    private readonly FakeService _positions, _matching, _identity;

    public CampaignScreensTests()
    {
        (_, _positions, _matching, _identity) = this.AddWebServices();
    }

    private static IElement Control<T>(IRenderedComponent<T> page, string testId) where T : Microsoft.AspNetCore.Components.IComponent =>
        page.Find($"[data-testid='{testId}']").Closest(".mud-input-control") ?? throw new InvalidOperationException($"no input control around {testId}");

    private static Campaign Campaign(string status = "open", Guid? organiser = null) =>
        new(CampaignId, 3, status, "Chongqing talent campaign 2027", "重庆引才活动 2027", new Organiser("Chongqing talent office", "重庆市人才办", organiser),
            [TestSetup.Institution], new DateOnly(2027, 1, 1), new DateOnly(2027, 6, 30), 12, [PositionId],
            [new AmbassadorAppointment(Guid.NewGuid(), new DateOnly(2027, 1, 5), "CQ-2027-07", DateTimeOffset.UtcNow)], DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, null);

    private static JobPosition Position(Guid id, string title, string status = "open") =>
        new(id, 1, status, TestSetup.Institution, title, null, null, "Chongqing", ["MED.IMMUNO"], [], [], "doctorate", "R2", "R3", 3, "none", "full-time", [], 1,
            null, null, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);

    private static ReviewItem Endorsed(Guid id, Guid profile, ResearcherAnswer? answer = null) =>
        new(id, PositionId, profile, TestSetup.Institution, ["MED.IMMUNO"], 0.7, 1, 3, "endorsed", DateTimeOffset.UtcNow, JsonDocument.Parse("[]").RootElement,
            DateTimeOffset.UtcNow, "ambassador", null, null, null, answer);

    private JsonElement[] Bodies(FakeService service, HttpMethod method, string path) =>
        service.Requests.Where(r => r.Method == method && r.PathAndQuery.StartsWith(path, StringComparison.Ordinal)).Select(r => JsonDocument.Parse(r.Body!).RootElement).ToArray();

    [Theory]
    [InlineData("researcher", false)]
    [InlineData("hr", true)]
    [InlineData("ambassador", true)]
    [InlineData("admin", true)]
    public void The_menu_lists_campaigns_for_staff_only(string role, bool shown)
    {
        this.SignIn(role);
        var menu = Render<NavMenu>();
        Assert.Equal(shown ? 1 : 0, menu.FindAll("[data-testid=nav-campaigns]").Count);
    }

    [Fact]
    public void An_administrator_with_no_campaigns_is_told_to_create_one_and_others_see_only_their_own()
    {
        this.SignIn("admin");
        _positions.OnJson(HttpMethod.Get, "/api/campaigns?", new Page<Campaign>([], 1, 20, 0));
        var page = Render<CampaignsList>();
        page.WaitForAssertion(() => Assert.Contains("Create a campaign", page.Find("[data-testid=empty-state]").TextContent));
        Assert.DoesNotContain(_positions.Requests, r => r.PathAndQuery.Contains("mine=true"));
    }

    [Fact]
    public void An_hr_office_lists_its_own_campaigns_with_their_status()
    {
        this.SignIn("hr");
        _positions.OnJson(HttpMethod.Get, "/api/campaigns?", new Page<Campaign>([Campaign(), Campaign("closed")], 1, 20, 2));
        var page = Render<CampaignsList>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=campaign-row-name]").Count));
        Assert.Equal(["open", "closed"], page.FindAll("[data-testid=campaign-status]").Select(c => c.GetAttribute("data-status")));
        Assert.Contains(_positions.Requests, r => r.PathAndQuery.StartsWith("/api/campaigns?", StringComparison.Ordinal) && r.PathAndQuery.Contains("mine=true"));
    }

    [Fact]
    public void A_campaign_refused_by_the_service_shows_each_message_on_its_field()
    {
        this.SignIn("admin");
        _positions.On(HttpMethod.Post, "/api/campaigns", (_, _) => FakeService.Problem(HttpStatusCode.BadRequest, "One or more validation errors occurred.",
            new() { ["nameEn"] = ["'Name En' must not be empty."], ["institutionIds"] = ["A campaign needs at least one participating institution."],
                ["closesOn"] = ["'closesOn' must not be before 'opensOn'."], ["targetHires"] = ["'Target Hires' must not be empty."] }));
        var page = Render<CampaignEditor>();
        page.WaitForElement("[data-testid=save-campaign]");
        page.Find("[data-testid=save-campaign]").Click();

        page.WaitForAssertion(() => Assert.Contains("must not be empty", Control(page, "nameEn").TextContent));
        Assert.Contains("at least one participating institution", Control(page, "institutionIds").TextContent);
        Assert.Contains("must not be before", Control(page, "closesOn").TextContent);
        Assert.Contains("must not be empty", Control(page, "targetHires").TextContent);
        Assert.DoesNotContain("must not be empty", Control(page, "nameZh").TextContent);
        var sent = Bodies(_positions, HttpMethod.Post, "/api/campaigns").Single();
        Assert.True(sent.TryGetProperty("organiser", out _));
        Assert.True(sent.TryGetProperty("opensOn", out _)); // today by default
    }

    private void CampaignDetailFakes(AssignmentView? assignment)
    {
        _positions.OnJson(HttpMethod.Get, $"/api/campaigns/{CampaignId}", Campaign(organiser: TestSetup.Institution), etag: "\"3\"");
        _positions.OnJson(HttpMethod.Get, "/api/positions?campaign=", new Page<JobPosition>([Position(PositionId, "Tumour immunology PI")], 1, 100, 1));
        _positions.OnJson(HttpMethod.Get, "/api/positions?institution=", new Page<JobPosition>([Position(Guid.NewGuid(), "Flow cytometry core lead", "draft")], 1, 100, 1));
        if (assignment is null)
        {
            _matching.On(HttpMethod.Get, $"/api/campaigns/{CampaignId}/assignment", (_, _) => FakeService.Problem(HttpStatusCode.NotFound, "No assignment yet."));
        }
        else
        {
            _matching.OnJson(HttpMethod.Get, $"/api/campaigns/{CampaignId}/assignment", assignment);
        }

        var row = new FunnelRow("position", TestSetup.Institution, PositionId, "Tumour immunology PI", 5, 3, 2, 1, 1, 1, 0, 1, 0, 2.5, null, null, null);
        _matching.OnJson(HttpMethod.Get, $"/api/campaigns/{CampaignId}/funnel", new FunnelView(CampaignId, "n", "n", 12, row with { Level = "campaign", PositionId = null },
            [row with { Level = "institution", PositionId = null }], [row]));
        _matching.On(HttpMethod.Post, "/api/matches/", (_, _) => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{}") });
    }

    private static AssignmentView Assignment() => new(CampaignId, DateTimeOffset.UtcNow, "admin", 2, 1, 1,
        [new ProposedOffer(ProfileA, PositionId, MatchA, 1, 2, [])],
        [new UnplacedResearcher(ProfileB, [new PositionRefusal(PositionId, 1, 1, "full-with-preferred", [ProfileA], 1,
            "The position is full with researchers it ranks higher.", "该职位已满,所录取者排序更高。")])]);

    [Fact]
    public void The_campaign_detail_shows_positions_assignment_and_funnel_and_the_positions_hr_office_confirms_an_offer()
    {
        this.SignIn("hr");
        CampaignDetailFakes(Assignment());
        var page = Render<CampaignDetail>(p => p.Add(c => c.Id, CampaignId));
        page.WaitForAssertion(() => Assert.Equal("true", page.Find("[data-testid=campaign-detail]").GetAttribute("data-ready")));

        Assert.Equal("Tumour immunology PI", page.Find("[data-testid=campaign-position-title]").TextContent);
        Assert.Equal("1", page.Find("[data-testid=offer-researcher-rank]").TextContent);
        Assert.Equal("2", page.Find("[data-testid=offer-position-rank]").TextContent);
        Assert.Contains("full with researchers it ranks higher", page.Find("[data-testid=unplaced-reason]").TextContent);
        Assert.Equal(3, page.FindAll("[data-testid=funnel-row]").Count);
        Assert.Equal($"/campaigns/{CampaignId}/funnel.csv", page.Find("[data-testid=funnel-csv]").GetAttribute("href"));
        // The organiser's HR office runs the campaign: it may compute, close and appoint (by account id: no account list for it).
        Assert.Single(page.FindAll("[data-testid=compute-assignment]"));
        Assert.Single(page.FindAll("[data-testid=close-campaign]"));
        Assert.Single(page.FindAll("[data-testid=ambassador-account-id]"));

        page.Find("[data-testid=confirm-offer]").Click();
        page.WaitForElement("[data-testid=offer-confirmed]");
        Assert.Equal("offered", Bodies(_matching, HttpMethod.Post, $"/api/matches/{MatchA}/outcomes").Single().GetProperty("outcome").GetString());
    }

    [Fact]
    public void Unplaced_reasons_are_in_chinese_when_chinese_is_chosen()
    {
        using var _ = TestSetup.Culture("zh-CN");
        this.SignIn("ambassador");
        CampaignDetailFakes(Assignment());
        var page = Render<CampaignDetail>(p => p.Add(c => c.Id, CampaignId));
        page.WaitForAssertion(() => Assert.Contains("该职位已满", page.Find("[data-testid=unplaced-reason]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=confirm-offer]")); // an ambassador confirms nothing
        Assert.Empty(page.FindAll("[data-testid=compute-assignment]"));
        Assert.Contains("整个活动", page.Find("[data-testid=funnel-table]").TextContent);
    }

    [Fact]
    public void An_ambassador_account_id_that_is_not_an_id_is_refused_on_its_field_before_anything_is_sent()
    {
        this.SignIn("hr");
        CampaignDetailFakes(null);
        var page = Render<CampaignDetail>(p => p.Add(c => c.Id, CampaignId));
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=no-assignment]")));
        page.Find("input[data-testid=ambassador-account-id], [data-testid=ambassador-account-id] input").Change("not-an-id");
        page.Find("[data-testid=appoint-ambassador]").Click();
        page.WaitForAssertion(() => Assert.Contains("Enter an account id", Control(page, "ambassador-account-id").TextContent));
        Assert.Contains("appointment letter's reference", Control(page, "letterReference").TextContent);
        Assert.DoesNotContain(_positions.Requests, r => r.Method == HttpMethod.Put);
    }

    [Fact]
    public void An_administrator_picks_the_ambassador_from_the_accounts_with_that_role()
    {
        this.SignIn("admin");
        CampaignDetailFakes(null);
        _identity.OnJson(HttpMethod.Get, "/api/accounts?role=ambassador", new Page<Account>(
            [new Account(Guid.NewGuid().ToString(), "amb@example.org", "Li Ambassador", "ambassador", [TestSetup.Institution], false, true)], 1, 100, 1));
        var page = Render<CampaignDetail>(p => p.Add(c => c.Id, CampaignId));
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=ambassador-account]")));
        Assert.Empty(page.FindAll("[data-testid=ambassador-account-id]"));
    }

    [Fact]
    public void Not_interested_asks_for_a_coded_reason_and_the_dismissed_position_leaves_the_list()
    {
        var profile = Guid.NewGuid();
        this.SignIn("researcher", profile.ToString());
        var other = Guid.NewGuid();
        _matching.OnJson(HttpMethod.Get, $"/api/profiles/{profile}/recommendations", new RecommendationsView(profile,
        [
            new RecommendationItem(PositionId, "Tumour immunology PI", TestSetup.Institution, "Chongqing", 0.8, 3, JsonDocument.Parse("[]").RootElement, null, [CampaignId]),
            new RecommendationItem(other, "Flow cytometry core lead", TestSetup.Institution, "Chongqing", 0.6, 3, JsonDocument.Parse("[]").RootElement,
                new ResearcherAnswer("interested", null, null, 2, DateTimeOffset.UtcNow)),
        ]));
        _positions.OnJson(HttpMethod.Get, $"/api/campaigns/{CampaignId}", Campaign());
        _matching.On(HttpMethod.Put, $"/api/profiles/{profile}/recommendations/", (_, body) =>
            JsonDocument.Parse(body!).RootElement.TryGetProperty("reason", out var unused)
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(JsonSerializer.Serialize(new ResearcherAnswer("not-interested", "location", null, null, DateTimeOffset.UtcNow), ApiJson.Options), System.Text.Encoding.UTF8, "application/json") }
                : FakeService.Problem(HttpStatusCode.BadRequest, "One or more validation errors occurred.", new() { ["reason"] = ["Say why: location, field, seniority, timing or other."] }));
        var dialogs = Render<MudDialogProvider>();
        var page = Render<Recommendations>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=recommendation]").Count));
        Assert.Contains("Chongqing talent campaign 2027", page.Find("[data-testid=recommendation-campaign]").TextContent);
        Assert.Contains("choice 2", page.FindAll("[data-testid=researcher-answer]").Single().TextContent);

        page.Find($"[data-position='{PositionId}'] [data-testid=answer-not-interested]").Click();
        dialogs.WaitForElement("[data-testid=not-interested-confirm]").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("Say why", dialogs.Markup));
        Assert.Equal(2, page.FindAll("[data-testid=recommendation]").Count);

        dialogs.Find("input[data-testid=not-interested-location], [data-testid=not-interested-location] input").Click();
        dialogs.Find("[data-testid=not-interested-confirm]").Click();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=recommendation]")));
        Assert.Equal("Flow cytometry core lead", page.Find("[data-testid=recommendation-title]").TextContent);
        var sent = Bodies(_matching, HttpMethod.Put, $"/api/profiles/{profile}/recommendations/{PositionId}/answer").Last();
        Assert.Equal("not-interested", sent.GetProperty("answer").GetString());
        Assert.Equal("location", sent.GetProperty("reason").GetString());
    }

    [Fact]
    public void Interested_sends_the_preference_rank_and_shows_the_answer()
    {
        var profile = Guid.NewGuid();
        this.SignIn("researcher", profile.ToString());
        _matching.OnJson(HttpMethod.Get, $"/api/profiles/{profile}/recommendations", new RecommendationsView(profile,
            [new RecommendationItem(PositionId, "Tumour immunology PI", TestSetup.Institution, "Chongqing", 0.8, 3, JsonDocument.Parse("[]").RootElement)]));
        _matching.On(HttpMethod.Put, $"/api/profiles/{profile}/recommendations/", (_, body) =>
        {
            var b = JsonDocument.Parse(body!).RootElement;
            var answer = new ResearcherAnswer(b.GetProperty("answer").GetString()!, null, null, b.TryGetProperty("preferenceRank", out var r) ? r.GetInt32() : null, DateTimeOffset.UtcNow);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(JsonSerializer.Serialize(answer, ApiJson.Options), System.Text.Encoding.UTF8, "application/json") };
        });
        var page = Render<Recommendations>();
        page.WaitForElement("[data-testid=answer-interested]");
        page.Find("input[data-testid=preference-rank], [data-testid=preference-rank] input").Change("1");
        page.Find("[data-testid=answer-interested]").Click();
        page.WaitForAssertion(() => Assert.Contains("choice 1", page.Find("[data-testid=researcher-answer]").TextContent));
        Assert.Equal(1, Bodies(_matching, HttpMethod.Put, $"/api/profiles/{profile}/recommendations/").Single().GetProperty("preferenceRank").GetInt32());
    }

    private void EndorsedFakes()
    {
        _positions.OnJson(HttpMethod.Get, $"/api/positions/{PositionId}", Position(PositionId, "Tumour immunology PI"), etag: "\"1\"");
        _matching.OnJson(HttpMethod.Get, $"/api/positions/{PositionId}/endorsed",
            new[] { Endorsed(MatchA, ProfileA, new ResearcherAnswer("apply", null, null, 1, DateTimeOffset.UtcNow)), Endorsed(MatchB, ProfileB) });
        _matching.On(HttpMethod.Put, $"/api/positions/{PositionId}/endorsed/order", (_, _) => new HttpResponseMessage(HttpStatusCode.NoContent));
    }

    [Fact]
    public void An_hr_office_moves_a_candidate_down_and_the_whole_order_is_saved()
    {
        this.SignIn("hr");
        EndorsedFakes();
        var page = Render<EndorsedCandidates>(p => p.Add(e => e.Id, PositionId));
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=candidate-card]").Count));
        Assert.Contains("Applied", page.FindAll("[data-testid=researcher-answer]")[0].TextContent);
        Assert.Contains("No answer yet", page.FindAll("[data-testid=researcher-answer]")[1].TextContent);

        page.FindAll("[data-testid=move-down]")[0].Click();
        page.WaitForAssertion(() => Assert.Equal(ProfileB.ToString(), page.FindAll("[data-testid=candidate-card]")[0].GetAttribute("data-profile")));
        var order = Bodies(_matching, HttpMethod.Put, $"/api/positions/{PositionId}/endorsed/order").Single().GetProperty("profileIds").EnumerateArray().Select(e => e.GetGuid());
        Assert.Equal([ProfileB, ProfileA], order);
    }

    [Fact]
    public void A_flexible_agreement_without_its_time_is_refused_on_that_field()
    {
        this.SignIn("hr");
        EndorsedFakes();
        _matching.On(HttpMethod.Post, $"/api/matches/{MatchA}/outcomes", (_, _) => FakeService.Problem(HttpStatusCode.BadRequest, "One or more validation errors occurred.",
            new() { ["agreement.daysPerYear"] = ["A flexible agreement says how much time: days per year or months."] }));
        var dialogs = Render<MudDialogProvider>();
        var page = Render<EndorsedCandidates>(p => p.Add(e => e.Id, PositionId));
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=candidate-card]").Count));
        page.FindAll("[data-testid=outcome-agreement-signed]")[0].Click();
        dialogs.WaitForElement("input[data-testid=agreement-type-flexible], [data-testid=agreement-type-flexible] input").Click();
        dialogs.WaitForElement("[data-testid=agreement-save]").Click();

        dialogs.WaitForAssertion(() => Assert.Contains("days per year or months", Control(dialogs, "agreement.daysPerYear").TextContent));
        var sent = Bodies(_matching, HttpMethod.Post, $"/api/matches/{MatchA}/outcomes").Single();
        Assert.Equal("agreement-signed", sent.GetProperty("outcome").GetString());
        Assert.Equal("flexible", sent.GetProperty("agreement").GetProperty("type").GetString());
        Assert.True(sent.GetProperty("agreement").GetProperty("homeInstitutionKept").GetBoolean());
    }
}
