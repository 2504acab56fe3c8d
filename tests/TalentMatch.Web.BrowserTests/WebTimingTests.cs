using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using TalentMatch.ReferenceData;
using TalentMatch.SyntheticData;
using TalentMatch.Testing;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace TalentMatch.Web.BrowserTests;

/// <summary>
/// The web app's two timing targets, measured by the browser harness with the demo's volume loaded (300 profiles, the
/// 37 open seed positions): the first page after sign-in interactive (target 1 s) and a review decision to the next
/// item ready (target 150 ms p95, over 100 decisions by keyboard). Reported in the output and in
/// <c>web-timings.txt</c> under the test results, not asserted (machines here differ by more than 2×); what is asserted
/// is the behaviour: every keystroke endorses its item and brings the next one.
/// </summary>
public sealed class WebTimingTests(WebPlatform platform, ITestOutputHelper output) : IClassFixture<WebPlatform>
{
    private const int Profiles = 300, Decisions = 100, SignIns = 5;

    static WebTimingTests() => SetDefaultExpectTimeout(30_000);

    [Fact]
    public async Task Sign_in_to_the_first_page_and_a_hundred_keyboard_decisions_are_timed_with_the_demo_volume_loaded()
    {
        var admin = await platform.Services.AdminTokenAsync();
        var positions = platform.Services.Positions.NewClient(admin);
        var profiles = platform.Services.Profiles.NewClient(admin);
        var seeds = SeedPositions.Load().Open.ToList();
        await Parallel.ForEachAsync(seeds, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (seed, ct) =>
            Assert.True((await positions.PostAsJsonAsync("/api/positions", ApiPayloads.Position(seed), ct)).IsSuccessStatusCode));
        await Parallel.ForEachAsync(new ProfileGenerator(20261203).Generate(Profiles), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (p, ct) =>
            Assert.True((await profiles.PostAsJsonAsync("/api/profiles", ApiPayloads.Profile(p), ct)).IsSuccessStatusCode));
        var matching = platform.Services.Matching.NewClient(admin);
        await Eventually.True(async () => (await matching.GetFromJsonAsync<JsonObject>("/api/reviews?status=proposed&pageSize=1"))!["total"]!.GetValue<long>() > Decisions,
            TimeSpan.FromSeconds(180), $"more than {Decisions} proposals to review");

        var email = $"ambassador.{Guid.NewGuid():N}@example.org";
        await platform.Services.StaffAsync("ambassador", email, seeds.Select(s => s.InstitutionId).Distinct().ToArray());

        // Sign-in to the first page: from submitting the provider's form to the app's home page rendered by its circuit.
        var signIns = new List<double>();
        IPage page = null!;
        for (var i = 0; i < SignIns; i++)
        {
            page = await platform.NewPageAsync("en-US");
            await page.GotoAsync("/account/login?returnUrl=%2F");
            await page.GetByLabel(ProviderTexts.English.Email, new() { Exact = true }).FillAsync(email);
            await page.GetByLabel(ProviderTexts.English.Password, new() { Exact = true }).FillAsync(Platform.StaffPassword);
            var clock = Stopwatch.StartNew();
            await page.GetByRole(AriaRole.Button, new() { Name = ProviderTexts.English.Button, Exact = true }).ClickAsync();
            await page.GetByTestId("user-name").WaitForAsync();
            await page.Locator("[data-testid=lang-zh-CN]").WaitForAsync();
            signIns.Add(clock.Elapsed.TotalMilliseconds);
            if (i < SignIns - 1) { await page.Context.CloseAsync(); }
        }

        // A hundred decisions: E on the review screen, until the next item (with its explanation and position) is ready.
        await page.GotoAsync("/reviews?status=proposed&sort=score");
        await page.GetByTestId("open-review").First.ClickAsync();
        await Expect(page.Locator("[data-testid=review-screen][data-ready-match]")).ToHaveCountAsync(1);
        var decided = new List<string>();
        var timings = new List<double>();
        for (var i = 0; i < Decisions; i++)
        {
            var current = await page.GetByTestId("review-screen").GetAttributeAsync("data-ready-match");
            // Measured in the page: the keystroke and the moment the next item is ready, on the browser's own clock.
            var ms = await page.EvaluateAsync<double>("""
                (current) => new Promise((resolve, reject) => {
                    const ready = () => { const m = document.querySelector('[data-testid=review-screen]')?.dataset.readyMatch; return m && m !== current; };
                    const t0 = performance.now();
                    const observer = new MutationObserver(() => { if (ready()) { observer.disconnect(); resolve(performance.now() - t0); } });
                    observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-ready-match'] });
                    setTimeout(() => { observer.disconnect(); reject(new Error('no next item within 10 s')); }, 10000);
                    document.querySelector('[data-testid=review-screen]').dispatchEvent(new KeyboardEvent('keydown', { key: 'e', bubbles: true }));
                })
                """, current);
            decided.Add(current!);
            timings.Add(ms);
        }

        // Every keystroke endorsed the item it was pressed on, once.
        Assert.Equal(Decisions, decided.Distinct().Count());
        var endorsed = (await matching.GetFromJsonAsync<JsonObject>($"/api/reviews?status=endorsed&pageSize={Decisions + 10}"))!["items"]!.AsArray()
            .Select(x => x!["id"]!.GetValue<string>()).ToHashSet();
        Assert.All(decided, id => Assert.Contains(id, endorsed));
        await WebPlatform.CheckPageAsync(page, "timing-review");

        var report = string.Join(Environment.NewLine,
            $"web timings ({DateTime.UtcNow:u}, {Environment.ProcessorCount} cores, {Profiles} profiles, {seeds.Count} open positions)",
            $"sign-in → first page interactive, {SignIns} sign-ins: first {signIns[0]:0} ms, median {Percentile(signIns, 50):0} ms, max {signIns.Max():0} ms (target 1000 ms)",
            $"decision → next item ready, {Decisions} decisions: p50 {Percentile(timings, 50):0} ms, p95 {Percentile(timings, 95):0} ms, max {timings.Max():0} ms (target p95 150 ms)");
        output.WriteLine(report);
        await File.WriteAllTextAsync(Path.Combine(Path.GetDirectoryName(WebPlatform.ScreenshotDirectory)!, "web-timings.txt"), report + Environment.NewLine);
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Ceiling(p / 100 * sorted.Count) - 1];
    }
}
