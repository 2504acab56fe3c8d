using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace TalentMatch.Web.BrowserTests;

/// <summary>The texts of the identity provider's sign-in page in one language.</summary>
public sealed record ProviderTexts(string Heading, string Email, string Password, string Button)
{
    public static readonly ProviderTexts English = new("Sign in to TalentMatch", "E-mail address", "Password", "Sign in");
    public static readonly ProviderTexts Chinese = new("登录 TalentMatch", "电子邮箱", "密码", "登录");

    public static ProviderTexts For(string locale) => locale.StartsWith("zh", StringComparison.Ordinal) ? Chinese : English;
}

/// <summary>Signing in and out through the web app and the provider's own page, as a user does.</summary>
public static class ProviderSignIn
{
    /// <summary>Fills and submits the provider's sign-in page, which the page must be showing (checked and screenshotted).</summary>
    public static async Task SubmitProviderFormAsync(WebPlatform platform, IPage page, string email, string password, ProviderTexts texts, string screenshot)
    {
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = texts.Heading, Level = 1 })).ToBeVisibleAsync();
        Assert.StartsWith(platform.IdentityUrl + "account/login", page.Url);
        await WebPlatform.CheckPageAsync(page, screenshot);
        await page.GetByLabel(texts.Email, new() { Exact = true }).FillAsync(email);
        await page.GetByLabel(texts.Password, new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = texts.Button, Exact = true }).ClickAsync();
    }

    /// <summary>
    /// From the app's home page to the provider's sign-in page and submits it; the caller waits for what follows (the
    /// app, or the provider's refusal).
    /// </summary>
    public static async Task SubmitSignInAsync(WebPlatform platform, IPage page, string email, string password, ProviderTexts texts, string screenshot)
    {
        await page.GotoAsync("/");
        await WaitForAppAsync(page);
        await page.GetByTestId("sign-in").ClickAsync();
        await SubmitProviderFormAsync(platform, page, email, password, texts, screenshot);
    }

    /// <summary>Signs in from the home page and waits until the app shows the account's name in its bar.</summary>
    public static async Task SignInAsync(WebPlatform platform, IPage page, string email, string password, string name, ProviderTexts texts, string screenshot)
    {
        await SubmitSignInAsync(platform, page, email, password, texts, screenshot + "-provider");
        await Expect(page.GetByTestId("user-name")).ToHaveTextAsync(name);
        Assert.StartsWith(platform.BaseUrl + "/", page.Url);
        await WaitForAppAsync(page);
    }

    public static async Task SignOutAsync(IPage page)
    {
        await page.GetByTestId("sign-out").ClickAsync();
        await Expect(page.GetByTestId("sign-in")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("user-name")).ToHaveCountAsync(0);
    }

    /// <summary>The interactive app is up (its circuit renders the language switch).</summary>
    public static Task WaitForAppAsync(IPage page) =>
        page.Locator("[data-testid=lang-zh-CN]").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
}
