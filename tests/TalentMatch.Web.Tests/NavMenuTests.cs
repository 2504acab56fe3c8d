using TalentMatch.Web.Components.Layout;

namespace TalentMatch.Web.Tests;

public sealed class NavMenuTests : WebTest
{
    public NavMenuTests() => this.AddWebServices();

    [Theory]
    [InlineData("researcher", new[] { "nav-profile", "nav-recommendations", "nav-privacy" }, new[] { "nav-positions", "nav-reviews", "nav-accounts", "nav-models" })]
    [InlineData("hr", new[] { "nav-positions", "nav-new-position" }, new[] { "nav-profile", "nav-reviews", "nav-accounts" })]
    [InlineData("ambassador", new[] { "nav-reviews" }, new[] { "nav-profile", "nav-positions", "nav-accounts", "nav-models" })]
    [InlineData("admin", new[] { "nav-positions", "nav-reviews", "nav-accounts", "nav-models" }, new[] { "nav-profile" })]
    public void The_menu_shows_what_the_role_does(string role, string[] shown, string[] hidden)
    {
        this.SignIn(role);
        var menu = Render<NavMenu>();
        foreach (var id in shown) { Assert.Single(menu.FindAll($"[data-testid={id}]")); }
        foreach (var id in hidden) { Assert.Empty(menu.FindAll($"[data-testid={id}]")); }
    }

    [Fact]
    public void Signed_out_sees_only_home()
    {
        AddAuthorization().SetNotAuthorized();
        var menu = Render<NavMenu>();
        Assert.Empty(menu.FindAll("[data-testid^=nav-]"));
        Assert.Contains("Home", menu.Markup);
    }

    [Fact]
    public void The_menu_is_in_chinese_when_chinese_is_chosen()
    {
        using var _ = TestSetup.Culture("zh-CN");
        this.SignIn("ambassador");
        var menu = Render<NavMenu>();
        Assert.Contains("首页", menu.Markup);
        Assert.Contains("审核队列", menu.Find("[data-testid=nav-reviews]").TextContent);
    }
}
