using System.Net;
using AngleSharp.Dom;
using TalentMatch.Web.Api;
using TalentMatch.Web.Components.Pages;

namespace TalentMatch.Web.Tests;

public sealed class FieldErrorTests : WebTest
{
    private readonly FakeService _profiles, _positions, _identity;

    public FieldErrorTests()
    {
        (_profiles, _positions, _, _identity) = this.AddWebServices();
    }

    /// <summary>The MudBlazor input control around the input that carries <paramref name="testId"/>.</summary>
    private static IElement Control<T>(IRenderedComponent<T> page, string testId) where T : Microsoft.AspNetCore.Components.IComponent =>
        page.Find($"[data-testid='{testId}']").Closest(".mud-input-control") ?? throw new InvalidOperationException($"no input control around {testId}");

    [Fact]
    public void A_degree_year_refused_by_the_service_is_shown_on_that_year_field_and_other_messages_on_theirs()
    {
        this.SignIn("researcher");
        _profiles.On(HttpMethod.Get, "/api/profiles/", (_, _) => FakeService.Problem(HttpStatusCode.NotFound, "Profile not found."));
        _profiles.On(HttpMethod.Post, "/api/profiles", (_, _) => FakeService.Problem(HttpStatusCode.BadRequest, "One or more validation errors occurred.",
            new() { ["degrees[0].year"] = ["'Year' must be between 1950 and 2026."], ["orcid"] = ["The ORCID iD check digit is wrong."] }));
        var page = Render<ProfileEditor>();
        page.WaitForElement("[data-testid=save-profile]");
        page.Find("[data-testid=step-2]").Click();
        page.Find("[data-testid=save-profile]").Click();

        page.WaitForAssertion(() => Assert.Contains("must be between 1950 and 2026", Control(page, "degrees[0].year").TextContent));
        Assert.DoesNotContain("check digit", Control(page, "degrees[0].year").TextContent);
        // Both steps with a refused field are marked, and the ORCID message sits on the ORCID field.
        Assert.Contains("⚠", page.Find("[data-testid=step-0]").TextContent);
        Assert.Contains("⚠", page.Find("[data-testid=step-2]").TextContent);
        Assert.DoesNotContain("⚠", page.Find("[data-testid=step-1]").TextContent);
        page.Find("[data-testid=step-0]").Click();
        page.WaitForAssertion(() => Assert.Contains("check digit is wrong", Control(page, "orcid").TextContent));
        Assert.DoesNotContain("check digit", Control(page, "fullName").TextContent);
    }

    [Fact]
    public void A_salary_bound_refused_by_the_service_is_shown_on_that_bound_and_an_unknown_field_at_the_top()
    {
        this.SignIn("hr");
        _positions.On(HttpMethod.Post, "/api/positions", (_, _) => FakeService.Problem(HttpStatusCode.BadRequest, "One or more validation errors occurred.",
            new() { ["salaryBand.maxCny"] = ["The maximum must not be below the minimum."], ["somethingElse"] = ["Not on this form."] }));
        var page = Render<PositionEditor>();
        page.WaitForElement("[data-testid=publish]");
        page.Find("[data-testid=publish]").Click();

        page.WaitForAssertion(() => Assert.Contains("must not be below the minimum", Control(page, "salaryBand.maxCny").TextContent));
        Assert.DoesNotContain("below the minimum", Control(page, "salaryBand.minCny").TextContent);
        var top = page.Find("[data-testid=problem]").TextContent;
        Assert.Contains("somethingElse", top);
        Assert.DoesNotContain("below the minimum", top);
    }

    [Fact]
    public void A_stale_edit_says_someone_changed_it_and_reload_fetches_the_new_version()
    {
        this.SignIn("hr");
        var id = Guid.NewGuid();
        var version = 1;
        _positions.On(HttpMethod.Get, $"/api/positions/{id}", (_, _) =>
        {
            var p = new JobPosition(id, version, "open", TestSetup.Institution, $"Title v{version}", null, null, "Chongqing", ["MED.IMMUNO"], [], [],
                "doctorate", "R2", "R3", 3, "none", "full-time", [], 1, null, null, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(p, ApiJson.Options), System.Text.Encoding.UTF8, "application/json") };
            response.Headers.ETag = new System.Net.Http.Headers.EntityTagHeaderValue($"\"{version}\"");
            return response;
        });
        _positions.On(HttpMethod.Put, $"/api/positions/{id}", (request, _) =>
            request.Headers.IfMatch.ToString() == $"\"{version}\"" ? FakeService.Problem(HttpStatusCode.OK, "unexpected") : FakeService.Problem(HttpStatusCode.PreconditionFailed, "The position was changed."));
        var page = Render<PositionEditor>(p => p.Add(e => e.Id, id));
        page.WaitForElement("[data-testid=save-position]");
        version = 2; // someone else saves meanwhile
        page.Find("[data-testid=save-position]").Click();
        page.WaitForElement("[data-testid=conflict]");
        Assert.Contains("Someone changed this", page.Find("[data-testid=conflict]").TextContent);
        page.Find("[data-testid=reload]").Click();
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=conflict]")));
        Assert.Equal("Title v2", page.Find("[data-testid=title]").GetAttribute("value"));
    }

    [Fact]
    public void Field_paths_are_matched_whatever_their_case_or_json_prefix()
    {
        var errors = new FieldErrors();
        errors.Load(ApiProblem.Parse(HttpStatusCode.BadRequest, """{"title":"x","errors":{"$.Degrees[1].Year":["bad year"],"salaryBand.maxCny":["too low"]}}"""));
        Assert.Equal("bad year", errors.For("degrees[1].year"));
        Assert.Equal("too low", errors.For("SalaryBand.MaxCny"));
        Assert.Null(errors.For("degrees[0].year"));
        Assert.Equal(2, errors.Unplaced.Count()); // this form declared no fields
        var shown = new FieldErrors(["degrees[].year"]);
        shown.Load(ApiProblem.Parse(HttpStatusCode.BadRequest, """{"errors":{"degrees[1].year":["bad"],"other":["x"]}}"""));
        Assert.Equal(["other"], shown.Unplaced.Select(e => e.Key));
    }

    [Fact]
    public void A_sign_up_refused_by_the_identity_service_shows_each_message_on_its_field_and_an_accepted_one_says_check_the_mailbox()
    {
        var identity = _identity;
        var answers = new Queue<HttpResponseMessage>([
            FakeService.Problem(HttpStatusCode.BadRequest, "One or more validation errors occurred.",
                new() { ["password"] = ["Passwords must be at least 12 characters."], ["email"] = ["Use a deliverable e-mail address."] }),
            new HttpResponseMessage(HttpStatusCode.Accepted) { Content = new StringContent("{\"status\":\"accepted\"}", System.Text.Encoding.UTF8, "application/json") },
        ]);
        identity.On(HttpMethod.Post, "/api/auth/signup", (_, _) => answers.Dequeue());
        var page = Render<SignUp>();
        page.Find("[data-testid=signup-email] input, input[data-testid=signup-email]").Change("someone@example");
        page.Find("[data-testid=signup-submit]").Click();

        page.WaitForAssertion(() => Assert.Contains("at least 12 characters", Control(page, "signup-password").TextContent));
        Assert.Contains("deliverable", Control(page, "signup-email").TextContent);
        Assert.DoesNotContain("12 characters", Control(page, "signup-email").TextContent);
        Assert.Empty(page.FindAll("[data-testid=signup-sent]"));

        page.Find("[data-testid=signup-email] input, input[data-testid=signup-email]").Change("someone@example.org");
        page.Find("[data-testid=signup-submit]").Click();
        page.WaitForAssertion(() => Assert.Contains("someone@example.org", page.Find("[data-testid=signup-sent]").TextContent));
    }
}
