using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Components;
using TalentMatch.Web.Api;
using TalentMatch.Web.Components.Pages;

namespace TalentMatch.Web.Tests;

public sealed class ReviewShortcutTests : WebTest
{
    private static readonly Guid Current = Guid.NewGuid(), NextOne = Guid.NewGuid(), PositionId = Guid.NewGuid(), ProfileId = Guid.NewGuid();
    private readonly FakeService _matching;

    public ReviewShortcutTests()
    {
        var (_, positions, matching, _) = this.AddWebServices();
        _matching = matching;
        this.SignIn("ambassador");
        var item = Item(Current, "proposed");
        matching.OnJson(HttpMethod.Get, $"/api/reviews/{Current}", new ReviewDetail(item, 0.61, 0.1,
            [new Contribution("required_skill_coverage", 1, 0.3), new Contribution("city_match", 0, -0.1)], [], []));
        matching.OnJson(HttpMethod.Get, "/api/reviews?", new Page<ReviewItem>([Item(NextOne, "proposed")], 1, 3, 1));
        matching.OnJson(HttpMethod.Get, $"/api/positions/{PositionId}/candidates/{ProfileId}/explanation",
            new MatchExplanation(PositionId, ProfileId, true, 3, 0.7, 0.1, [new Contribution("required_skill_coverage", 1, 0.3)],
                new BaselineScore(0.6, [new ScorePart("skills", 1, 0.4, 0.4)])));
        matching.On(HttpMethod.Post, $"/api/reviews/{Current}/decision", (_, body) =>
        {
            var decision = JsonDocument.Parse(body!).RootElement.GetProperty("decision").GetString();
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = JsonContent(Item(Current, decision == "endorse" ? "endorsed" : decision == "reject" ? "rejected" : "held")) };
        });
        positions.OnJson(HttpMethod.Get, $"/api/positions/{PositionId}", new JobPosition(PositionId, 1, "open", TestSetup.Institution, "Associate Researcher", null, null,
            "Chongqing", ["MED.IMMUNO"], ["流式细胞术"], [], "doctorate", "R2", "R3", 5, "none", "full-time", [], 1, new SalaryBand(300000, 450000), null, null,
            DateTimeOffset.UtcNow, DateTimeOffset.UtcNow), etag: "\"1\"");
    }

    private static ReviewItem Item(Guid id, string status) =>
        new(id, PositionId, ProfileId, TestSetup.Institution, ["MED.IMMUNO"], 0.7, 1, 3, status, DateTimeOffset.UtcNow,
            JsonDocument.Parse("[]").RootElement, null, null, null, null, null);

    private static StringContent JsonContent(object value) => new(JsonSerializer.Serialize(value, ApiJson.Options), System.Text.Encoding.UTF8, "application/json");

    private IRenderedComponent<Review> RenderReview()
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo($"/reviews/{Current}?status=proposed&sort=score");
        var page = Render<Review>(p => p.Add(r => r.Id, Current));
        page.WaitForElement("[data-testid=decision-bar]");
        return page;
    }

    private (string Decision, string? Reason)[] Decisions() =>
        _matching.Requests.Where(r => r.Method == HttpMethod.Post).Select(r => JsonDocument.Parse(r.Body!).RootElement)
            .Select(b => (b.GetProperty("decision").GetString()!, b.TryGetProperty("reason", out var reason) ? reason.GetString() : null)).ToArray();

    [Fact]
    public void The_shortcuts_are_shown_on_screen()
    {
        var page = RenderReview();
        var legend = page.Find("[data-testid=shortcuts]").TextContent;
        foreach (var key in new[] { "E", "R", "H", "N" }) { Assert.Contains(key, legend); }
        Assert.Contains("Endorse", legend);
    }

    [Fact]
    public void E_endorses_and_goes_to_the_next_item_of_the_same_queue()
    {
        var page = RenderReview();
        page.Find("[data-testid=review-screen]").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "e" });
        page.WaitForAssertion(() => Assert.Equal([("endorse", (string?)null)], Decisions()));
        var navigation = Services.GetRequiredService<NavigationManager>();
        page.WaitForAssertion(() => Assert.Equal($"http://localhost/reviews/{NextOne}?status=proposed&sort=score", navigation.Uri));
        // The next item is asked for with the queue's own filters.
        Assert.Contains(_matching.Requests, r => r.Method == HttpMethod.Get && r.PathAndQuery.StartsWith("/api/reviews?status=proposed", StringComparison.Ordinal) && r.PathAndQuery.Contains("sort=score"));
    }

    [Fact]
    public void R_asks_for_a_coded_reason_and_a_digit_rejects_with_it()
    {
        var page = RenderReview();
        var screen = page.Find("[data-testid=review-screen]");
        screen.KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "r" });
        page.WaitForElement("[data-testid=reasons]");
        Assert.Empty(Decisions()); // nothing is sent without a reason
        page.Find("[data-testid=review-screen]").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "2" });
        page.WaitForAssertion(() => Assert.Equal([("reject", (string?)"insufficient-seniority")], Decisions()));
    }

    [Fact]
    public void H_holds_and_escape_cancels_a_rejection()
    {
        var page = RenderReview();
        var screen = page.Find("[data-testid=review-screen]");
        screen.KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "r" });
        page.WaitForElement("[data-testid=reasons]");
        page.Find("[data-testid=review-screen]").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Escape" });
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=reasons]")));
        page.Find("[data-testid=review-screen]").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "h" });
        page.WaitForAssertion(() => Assert.Equal([("hold", (string?)null)], Decisions()));
    }

    [Fact]
    public void The_review_shows_requirements_baseline_and_contributions_side_by_side()
    {
        var page = RenderReview();
        page.WaitForAssertion(() => Assert.Contains("Associate Researcher", page.Find("[data-testid=position-requirements]").TextContent));
        Assert.Contains("flow cytometry", page.Find("[data-testid=position-requirements]").TextContent);
        Assert.Equal(2, page.FindAll("[data-testid=contributions] [data-feature]").Count);
        Assert.Contains("required skills covered", page.Find("[data-testid=why-words]").TextContent);
        Assert.Contains("Skills", page.Find("[data-testid=baseline]").TextContent);
    }
}
