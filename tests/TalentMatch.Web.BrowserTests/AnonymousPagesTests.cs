using Microsoft.Playwright;

namespace TalentMatch.Web.BrowserTests;

/// <summary>
/// What a visitor sees before signing in, in a real browser: the home page in both languages, the language switch
/// remembered across visits, and no serious or critical accessibility violation. The signed-in journeys need the
/// identity service's OpenID Connect provider.
/// </summary>
public sealed class AnonymousPagesTests(WebPlatform platform) : IClassFixture<WebPlatform>
{
    private static async Task WaitInteractive(IPage page) =>
        await page.Locator("[data-testid=lang-zh-CN]").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });

    [Fact]
    public async Task The_home_page_switches_to_chinese_and_remembers_it()
    {
        var page = await platform.NewPageAsync("en-US");
        await page.GotoAsync("/");
        await WaitInteractive(page);
        Assert.Equal("en", await page.GetAttributeAsync("html", "lang"));
        Assert.Contains("Welcome to TalentMatch", await page.InnerTextAsync("h1"));
        await WebPlatform.CheckPageAsync(page, "home-en");

        await page.ClickAsync("[data-testid=lang-zh-CN]");
        await page.WaitForFunctionAsync("() => document.documentElement.lang === 'zh-CN'");
        await WaitInteractive(page);
        Assert.Equal("zh-CN", await page.GetAttributeAsync("html", "lang"));
        await page.Locator("h1", new PageLocatorOptions { HasText = "欢迎使用 TalentMatch" }).WaitForAsync();
        Assert.Contains("登录", await page.InnerTextAsync("[data-testid=sign-in]"));
        await WebPlatform.CheckPageAsync(page, "home-zh-CN");

        // A new visit with the same cookies stays in Chinese, whatever the browser's language.
        await page.GotoAsync("/");
        await WaitInteractive(page);
        Assert.Equal("zh-CN", await page.GetAttributeAsync("html", "lang"));

        await page.ClickAsync("[data-testid=lang-en]");
        await page.WaitForFunctionAsync("() => document.documentElement.lang === 'en'");
        await WaitInteractive(page);
        await page.Locator("h1", new PageLocatorOptions { HasText = "Welcome to TalentMatch" }).WaitForAsync();
    }

    [Fact]
    public async Task Sign_in_leaves_the_app_for_the_server_side_challenge_and_keeps_the_page_to_come_back_to()
    {
        var page = await platform.NewPageAsync("en-US");
        await page.GotoAsync("/no-such-page");
        await WaitInteractive(page);
        var challenge = page.WaitForRequestAsync(r => r.Url.Contains("/account/login?returnUrl=%2Fno-such-page", StringComparison.Ordinal));
        await page.ClickAsync("[data-testid=sign-in]");
        await challenge; // a full request to the server (not a client-side route): the OpenID Connect challenge starts there
    }

    [Fact]
    public async Task A_chinese_browser_gets_chinese_first()
    {
        var page = await platform.NewPageAsync("zh-CN");
        await page.GotoAsync("/");
        await WaitInteractive(page);
        await page.Locator("h1", new PageLocatorOptions { HasText = "欢迎使用 TalentMatch" }).WaitForAsync();
    }

    [Fact]
    public async Task An_unknown_page_says_so_in_both_languages()
    {
        var page = await platform.NewPageAsync("en-US");
        await page.GotoAsync("/no-such-page");
        await page.Locator("h1", new PageLocatorOptions { HasText = "Page not found" }).WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        await WebPlatform.CheckPageAsync(page, "not-found-en");
    }

    [Fact]
    public async Task A_sign_in_callback_without_a_valid_state_is_a_400_page_that_offers_to_sign_in_again()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(platform.BaseUrl) };
        var bare = await client.GetAsync("/signin-oidc");
        var forged = await client.PostAsync("/signin-oidc", new FormUrlEncodedContent(new Dictionary<string, string> { ["code"] = "forged", ["state"] = "forged" }));
        foreach (var answer in new[] { bare, forged })
        {
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, answer.StatusCode);
            var body = await answer.Content.ReadAsStringAsync();
            Assert.Contains("Sign-in did not complete", body);
            Assert.Contains("登录未完成", body);
            Assert.Contains("href=\"/account/login\"", body);
        }
    }
}
