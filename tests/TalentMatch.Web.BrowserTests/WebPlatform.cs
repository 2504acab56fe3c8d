using System.Security.Cryptography;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using TalentMatch.Testing;

namespace TalentMatch.Web.BrowserTests;

/// <summary>
/// The platform (identity, profiles, positions, matching as processes on the test PostgreSQL and RabbitMQ) plus the
/// web app as a process pointed at them, and Debian's Chromium driven by Playwright.
/// </summary>
public sealed class WebPlatform : IAsyncLifetime
{
    // The web app's settings are filled in once the services' ports are known; its own port is chosen now, so that the
    // identity provider can be started with the web app's real address (its redirect URIs) and client secret.
    private readonly Dictionary<string, string?> _webSettings = new();

    public WebPlatform()
    {
        Web = new ServiceProcess("Web", _webSettings);
        Services = new WebClientPlatform($"http://127.0.0.1:{Web.Port}", ClientSecret);
    }

    public Platform Services { get; }
    public ServiceProcess Web { get; }
    public string ClientSecret { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    public string BaseUrl => $"http://127.0.0.1:{Web.Port}";

    /// <summary>The identity provider's root URL (its own pages: sign-in, confirmation).</summary>
    public string IdentityUrl => $"http://127.0.0.1:{Services.Identity.Port}/";

    /// <summary>Where screenshots of visited pages go (under the test results, kept by CI).</summary>
    public static string ScreenshotDirectory { get; } =
        Path.Combine(Environment.GetEnvironmentVariable("TM_TEST_RESULTS") ?? Path.Combine(AppContext.BaseDirectory, "TestResults"), "screenshots");

    public async Task InitializeAsync()
    {
        await Services.InitializeAsync();
        string Url(ServiceProcess s) => $"http://127.0.0.1:{s.Port}";
        _webSettings["Auth:Authority"] = Url(Services.Identity);
        _webSettings["Auth:ClientSecret"] = ClientSecret;
        _webSettings["Services:Identity"] = Url(Services.Identity);
        _webSettings["Services:Profiles"] = Url(Services.Profiles);
        _webSettings["Services:Positions"] = Url(Services.Positions);
        _webSettings["Services:Matching"] = Url(Services.Matching);
        await Web.StartAsync();

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("TM_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
        Directory.CreateDirectory(ScreenshotDirectory);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) { await Browser.DisposeAsync(); }
        Playwright?.Dispose();
        await Web.DisposeAsync();
        await Services.DisposeAsync();
    }

    /// <summary>A fresh browser context (its own cookies) with English or Chinese as the browser's language.</summary>
    public async Task<IPage> NewPageAsync(string locale = "en-US")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { Locale = locale, BaseURL = BaseUrl });
        return await context.NewPageAsync();
    }

    /// <summary>A screenshot of every page still open, and its URL in the test output, when a journey fails.</summary>
    public async Task SaveFailureScreenshotsAsync(string name)
    {
        var n = 0;
        foreach (var page in Browser.Contexts.SelectMany(c => c.Pages).Where(p => !p.IsClosed))
        {
            var path = Path.Combine(ScreenshotDirectory, $"{name}-failed-{++n}.png");
            try
            {
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
                Console.WriteLine($"failed journey: {page.Url} → {path}");
            }
            catch (PlaywrightException)
            {
                // A page that cannot be captured any more: the others still are.
            }
        }
    }

    /// <summary>
    /// Closes an open multi-select, which stays open after a pick, and waits until none of its options can take a click
    /// (in the clean-clone CI an option list still covered the button below after the popover had lost its open class).
    /// Escape first; if options still show, a click on the page's title (outside the select), then on the overlay.
    /// </summary>
    public static async Task CloseMultiSelectAsync(IPage page)
    {
        var options = page.Locator(".mud-popover-provider .mud-list-item:visible");
        await page.Keyboard.PressAsync("Escape");
        for (var attempt = 0; attempt < 3 && await StillShowing(); attempt++)
        {
            if (attempt == 0)
            {
                await page.Locator("h1, h2, h3, h4").First.ClickAsync(new() { Force = true });
            }
            else if (await page.Locator(".mud-overlay").CountAsync() > 0)
            {
                await page.Locator(".mud-overlay").First.ClickAsync(new() { Force = true });
            }
        }

        await Expect(options).ToHaveCountAsync(0);

        async Task<bool> StillShowing()
        {
            try
            {
                await Expect(options).ToHaveCountAsync(0, new() { Timeout = 2000 });
                return false;
            }
            catch (Exception e) when (e is PlaywrightException or TimeoutException)
            {
                return true;
            }
        }
    }

    /// <summary>Saves a screenshot and fails on any axe-core violation of impact serious or critical.</summary>
    public static async Task CheckPageAsync(IPage page, string name)
    {
        // A snackbar hides itself after five seconds with a fade, which can start while axe reads the page (seen in CI:
        // colour contrast of a half-faded snackbar message): check the page once the snackbars have gone.
        await page.Locator(".mud-snackbar").First.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached, Timeout = 20_000 });
        // A snackbar or popover still fading in has the colours of half its opacity: check the page at rest.
        await page.WaitForFunctionAsync("() => document.getAnimations().every(a => a.playState !== 'running' || a.effect?.getComputedTiming().endTime === Infinity)");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, $"{name}.png"), FullPage = true });
        var result = await page.RunAxe();
        var bad = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(bad.Count == 0, $"{name}: " + string.Join("; ", bad.Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}")));
    }
}

/// <summary>The services with the identity provider's web client registered at the web app's real address.</summary>
internal sealed class WebClientPlatform(string webBaseUrl, string webClientSecret) : Platform
{
    protected override string WebClientBaseUrl => webBaseUrl;
    protected override string WebClientSecret => webClientSecret;
}
