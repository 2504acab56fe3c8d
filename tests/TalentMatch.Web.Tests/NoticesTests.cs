using System.Net;
using System.Text.Json;
using AngleSharp.Dom;
using MudBlazor;
using TalentMatch.Web.Api;
using TalentMatch.Web.Components.Layout;
using TalentMatch.Web.Components.Pages;

namespace TalentMatch.Web.Tests;

/// <summary>The notices page (list, mark all read, settings) and the menu's badge, over fake services.</summary>
public sealed class NoticesTests : WebTest
{
    private static readonly Guid PositionA = Guid.NewGuid(), PositionGone = Guid.NewGuid(), MatchA = Guid.NewGuid(), MatchB = Guid.NewGuid();
    private readonly FakeService _positions, _identity;
    private bool _read;

    public NoticesTests()
    {
        (_, _positions, _, _identity) = this.AddWebServices();
        _positions.OnJson(HttpMethod.Get, $"/api/positions/{PositionA}", Position(PositionA, "Tumour immunology PI"), etag: "\"1\"");
        _positions.On(HttpMethod.Get, $"/api/positions/{PositionGone}", (_, _) => FakeService.Problem(HttpStatusCode.NotFound, "No such position."));
        _identity.On(HttpMethod.Post, "/api/me/notices/read", (_, _) =>
        {
            _read = true;
            return new HttpResponseMessage(HttpStatusCode.NoContent);
        });
        _identity.On(HttpMethod.Put, "/api/me/notice-settings", (_, body) => Json(JsonSerializer.Deserialize<NoticeSettings>(body!, ApiJson.Options)!));
        _identity.OnJson(HttpMethod.Get, "/api/me/notice-settings", new NoticeSettings(true, true, true));
    }

    private static JobPosition Position(Guid id, string title) =>
        new(id, 1, "open", TestSetup.Institution, title, null, null, "Chongqing", ["MED.IMMUNO"], [], [], "doctorate", "R2", "R3", 3, "none", "full-time", [], 1,
            null, null, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);

    private static HttpResponseMessage Json(object value) =>
        new(HttpStatusCode.OK) { Content = new StringContent(JsonSerializer.Serialize(value, ApiJson.Options), System.Text.Encoding.UTF8, "application/json") };

    /// <summary>Four notices, newest first; the two newest unread until everything is marked read.</summary>
    private void NoticeFakes()
    {
        var now = DateTimeOffset.UtcNow;
        _identity.On(HttpMethod.Get, "/api/me/notices?", (_, _) =>
        {
            DateTimeOffset? ReadAt(bool unread) => unread && !_read ? null : now.AddMinutes(-1);
            return Json(new NoticeList(
            [
                new NoticeItem(4, "endorsement", PositionA, MatchA, 0.81, now.AddMinutes(-5), ReadAt(true), null),
                new NoticeItem(3, "proposal", PositionA, MatchB, 0.74, now.AddHours(-1), ReadAt(true), null),
                new NoticeItem(2, "recommendation", PositionA, MatchA, 0.69, now.AddDays(-1), ReadAt(false), now.AddDays(-1)),
                new NoticeItem(1, "endorsement", PositionGone, MatchB, 0.6, now.AddDays(-2), ReadAt(false), now.AddDays(-2)),
            ], 1, 20, 4, _read ? 0 : 2));
        });
    }

    private void NoNotices() => _identity.OnJson(HttpMethod.Get, "/api/me/notices?", new NoticeList([], 1, 20, 0, 0));

    private static IElement Switch<T>(IRenderedComponent<T> page, string kind) where T : Microsoft.AspNetCore.Components.IComponent =>
        page.Find($"input[data-testid=notice-setting-{kind}], [data-testid=notice-setting-{kind}] input");

    private static bool On<T>(IRenderedComponent<T> page, string kind) where T : Microsoft.AspNetCore.Components.IComponent =>
        ((AngleSharp.Html.Dom.IHtmlInputElement)Switch(page, kind)).IsChecked;

    private JsonElement[] Puts() =>
        _identity.Requests.Where(r => r.Method == HttpMethod.Put && r.PathAndQuery == "/api/me/notice-settings").Select(r => JsonDocument.Parse(r.Body!).RootElement).ToArray();

    [Fact]
    public void Notices_are_listed_newest_first_with_the_position_unread_ones_marked_and_a_link_to_where_to_act()
    {
        this.SignIn("admin");
        NoticeFakes();
        var page = Render<Notices>();
        page.WaitForAssertion(() => Assert.Equal(4, page.FindAll("[data-testid=notice]").Count));

        var notices = page.FindAll("[data-testid=notice]");
        Assert.Equal(["endorsement", "proposal", "recommendation", "endorsement"], notices.Select(n => n.GetAttribute("data-kind")));
        Assert.Equal(["true", "true", "false", "false"], notices.Select(n => n.GetAttribute("data-unread")));
        Assert.Equal(2, page.FindAll("[data-testid=notice-unread]").Count);
        Assert.Equal(2, page.FindAll("tr.tm-unread").Count);
        Assert.Equal("A candidate was endorsed for “Tumour immunology PI”", notices[0].QuerySelector("[data-testid=notice-text]")!.TextContent);
        Assert.Equal("A new match to review for “Tumour immunology PI”", notices[1].QuerySelector("[data-testid=notice-text]")!.TextContent);
        Assert.Equal("A position was recommended to you: “Tumour immunology PI”", notices[2].QuerySelector("[data-testid=notice-text]")!.TextContent);
        Assert.Equal("A candidate was endorsed for a position that is no longer available", notices[3].QuerySelector("[data-testid=notice-text]")!.TextContent);
        Assert.Equal([$"/positions/{PositionA}/candidates", $"/reviews/{MatchB}", "/recommendations", "/positions"],
            page.FindAll("[data-testid=notice-link]").Select(a => a.GetAttribute("href")));
        Assert.Contains("2 unread", page.Find("[data-testid=unread-count]").TextContent);
        // Each position is read once, however many notices name it.
        Assert.Single(_positions.Requests, r => r.PathAndQuery == $"/api/positions/{PositionA}");
        Assert.Contains(_identity.Requests, r => r.Method == HttpMethod.Get && r.PathAndQuery == "/api/me/notices?page=1&pageSize=20");
    }

    [Fact]
    public void Mark_all_read_tells_the_service_and_the_marks_and_the_menus_badge_go()
    {
        this.SignIn("hr");
        NoticeFakes();
        var snackbars = Render<MudSnackbarProvider>();
        var menu = Render<NavMenu>();
        var page = Render<Notices>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=notice-unread]").Count));
        menu.WaitForAssertion(() => Assert.Equal("2", menu.Find("[data-testid=nav-notices-badge] .mud-badge").TextContent.Trim()));

        page.Find("[data-testid=mark-all-read]").Click();
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=notice-unread]")));
        Assert.Single(_identity.Requests, r => r.Method == HttpMethod.Post && r.PathAndQuery == "/api/me/notices/read");
        Assert.All(page.FindAll("[data-testid=notice]"), n => Assert.Equal("false", n.GetAttribute("data-unread")));
        Assert.Equal("Nothing unread.", page.Find("[data-testid=unread-count]").TextContent);
        Assert.True(page.Find("[data-testid=mark-all-read]").HasAttribute("disabled"));
        menu.WaitForAssertion(() => Assert.Empty(menu.FindAll("[data-testid=nav-notices-badge] .mud-badge")));
        snackbars.WaitForAssertion(() => Assert.Contains("All notices marked as read.", snackbars.Markup));
    }

    [Theory]
    [InlineData("researcher", new[] { "recommendations" })]
    [InlineData("ambassador", new[] { "proposals" })]
    [InlineData("hr", new[] { "endorsements" })]
    [InlineData("admin", new[] { "recommendations", "proposals", "endorsements" })]
    public void Each_role_sees_the_switches_of_the_notices_it_gets(string role, string[] shown)
    {
        this.SignIn(role);
        NoNotices();
        var page = Render<Notices>();
        page.WaitForAssertion(() => Assert.Single(page.FindAll($"input[data-testid=notice-setting-{shown[0]}], [data-testid=notice-setting-{shown[0]}] input")));
        foreach (var kind in Notices.SettingKinds)
        {
            Assert.Equal(shown.Contains(kind) ? 1 : 0, page.FindAll($"input[data-testid=notice-setting-{kind}], [data-testid=notice-setting-{kind}] input").Count);
        }
    }

    [Fact]
    public void Turning_a_switch_off_saves_all_three_settings_and_confirms()
    {
        this.SignIn("researcher");
        NoNotices();
        _identity.OnJson(HttpMethod.Get, "/api/me/notice-settings", new NoticeSettings(true, false, true));
        var snackbars = Render<MudSnackbarProvider>();
        var page = Render<Notices>();
        page.WaitForAssertion(() => Assert.True(On(page, "recommendations")));

        Switch(page, "recommendations").Change(false);
        page.WaitForAssertion(() => Assert.Single(Puts()));
        var sent = Puts().Single();
        Assert.False(sent.GetProperty("recommendations").GetBoolean());
        Assert.False(sent.GetProperty("proposals").GetBoolean()); // as the service had it: the researcher has no switch for it
        Assert.True(sent.GetProperty("endorsements").GetBoolean());
        snackbars.WaitForAssertion(() => Assert.Contains("you will no longer get these notices", snackbars.Markup));
        Assert.False(On(page, "recommendations"));
        Assert.Empty(page.FindAll("[data-testid=problem]"));
    }

    [Fact]
    public void A_refused_save_shows_the_problem_and_the_switch_as_the_service_has_it()
    {
        this.SignIn("hr");
        NoNotices();
        _identity.On(HttpMethod.Put, "/api/me/notice-settings", (_, _) => FakeService.Problem(HttpStatusCode.BadRequest, "One or more validation errors occurred.",
            new() { ["endorsements"] = ["'Endorsements' must not be empty."] }));
        var page = Render<Notices>();
        page.WaitForAssertion(() => Assert.True(On(page, "endorsements")));

        Switch(page, "endorsements").Change(false);
        page.WaitForAssertion(() => Assert.Contains("must not be empty", page.Find("[data-testid=notice-settings] [data-testid=problem]").TextContent));
        Assert.True(On(page, "endorsements"));
    }

    [Fact]
    public void With_no_notices_the_page_says_what_will_appear_here()
    {
        this.SignIn("hr");
        NoNotices();
        var page = Render<Notices>();
        page.WaitForAssertion(() => Assert.Contains("No notices yet", page.Find("[data-testid=empty-state]").TextContent));
        Assert.Contains("Candidates newly endorsed for your institution's positions", page.Find("[data-testid=empty-state]").TextContent);
        Assert.DoesNotContain("recommended to you", page.Find("[data-testid=empty-state]").TextContent);
        Assert.True(page.Find("[data-testid=mark-all-read]").HasAttribute("disabled"));
    }

    [Fact]
    public void A_list_the_service_refuses_shows_the_problem_instead_of_the_empty_state()
    {
        this.SignIn("ambassador");
        _identity.On(HttpMethod.Get, "/api/me/notices?", (_, _) => FakeService.Problem(HttpStatusCode.InternalServerError, "The notices could not be read."));
        var page = Render<Notices>();
        page.WaitForAssertion(() => Assert.Contains("could not be read", page.Find("[data-testid=problem]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=empty-state]"));
    }

    [Fact]
    public void The_page_is_in_chinese_when_chinese_is_chosen()
    {
        using var _ = TestSetup.Culture("zh-CN");
        this.SignIn("admin");
        NoticeFakes();
        var page = Render<Notices>();
        page.WaitForAssertion(() => Assert.Equal(4, page.FindAll("[data-testid=notice]").Count));
        Assert.Equal("有候选人被推荐到职位:“Tumour immunology PI”", page.Find("[data-testid=notice-text]").TextContent);
        Assert.Contains("一个已不再开放的职位", page.FindAll("[data-testid=notice-text]")[3].TextContent);
        Assert.Equal("全部标为已读", page.Find("[data-testid=mark-all-read]").TextContent.Trim());
        Assert.Contains("推荐给我的职位", page.Find("[data-testid=notice-settings]").TextContent);
        Assert.Contains("新", page.Find("[data-testid=notice-unread]").TextContent);
    }

    [Theory]
    [InlineData("researcher")]
    [InlineData("hr")]
    [InlineData("ambassador")]
    [InlineData("admin")]
    public void Every_signed_in_role_has_notices_in_the_menu_with_the_unread_count(string role)
    {
        this.SignIn(role);
        _identity.OnJson(HttpMethod.Get, "/api/me/notices?", new NoticeList([], 1, 1, 7, 3));
        var menu = Render<NavMenu>();
        menu.WaitForAssertion(() => Assert.Equal("3", menu.Find("[data-testid=nav-notices-badge] .mud-badge").TextContent.Trim()));
        Assert.Equal("/notices", menu.Find("[data-testid=nav-notices]").GetAttribute("href") ?? menu.Find("[data-testid=nav-notices] a, a[data-testid=nav-notices]").GetAttribute("href"));
        Assert.Contains(_identity.Requests, r => r.PathAndQuery == "/api/me/notices?page=1&pageSize=1");
    }

    [Fact]
    public void No_badge_when_nothing_is_unread_or_the_count_cannot_be_read()
    {
        this.SignIn("hr");
        var menu = Render<NavMenu>(); // the identity fake answers 404
        Assert.Single(menu.FindAll("[data-testid=nav-notices]"));
        Assert.Empty(menu.FindAll(".mud-badge"));
    }
}
