using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TalentMatch.Contracts.Campaigns;
using TalentMatch.Contracts.Matching;
using TalentMatch.Identity.Notices;
using TalentMatch.ReferenceData;
using TalentMatch.Testing;

namespace TalentMatch.Identity.Tests;

/// <summary>An identity host whose notice mailer passes every 200 ms (digests stay daily).</summary>
public sealed class NoticesHost : IdentityHost
{
    protected override Dictionary<string, string?> Settings()
    {
        var settings = base.Settings();
        settings["Notices:PollInterval"] = "00:00:00.200";
        return settings;
    }
}

/// <summary>Notices from the platform's events, by e-mail through a real SMTP server and in the API, per account's settings.</summary>
public sealed class NoticesTests(NoticesHost host) : IClassFixture<NoticesHost>
{
    private const string Password = "the-right-password-01";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly Guid Institution = Institutions.Load().All[1].Id;

    [Fact]
    public async Task Researchers_and_ambassadors_get_a_daily_digest_hr_offices_each_endorsement_and_settings_turn_them_off()
    {
        var admin = host.ClientAs(await OidcFlow.ClientCredentialsAsync(host.CreateClient()));
        var hrEmail = $"hr.{Guid.NewGuid():N}@example.org";
        var ambassadorEmail = $"amb.{Guid.NewGuid():N}@example.org";
        var appointedEmail = $"appointed.{Guid.NewGuid():N}@example.org";
        await Create(admin, hrEmail, "hr", [Institution]);
        await Create(admin, ambassadorEmail, "ambassador", [Institution]);
        // Appointed to a campaign, with no institution of the match on the account.
        var appointed = await Create(admin, appointedEmail, "ambassador", [Institutions.Load().All[2].Id]);
        var researcherEmail = $"researcher.{Guid.NewGuid():N}@example.org";
        await host.SignUpAndConfirmAsync(researcherEmail, Password);
        var researcher = await host.WithDbAsync<IdentityDb, string>(db => db.Users.Where(u => u.Email == researcherEmail).Select(u => u.Id).SingleAsync());

        var position = Guid.NewGuid();
        await Publish(new CampaignChanged(Guid.NewGuid(), DateTimeOffset.UtcNow, Guid.NewGuid(), 1, "open", "Campaign", "招引", null,
            new DateOnly(2026, 1, 1), new DateOnly(2027, 1, 1), 3, [Institution], [position], [Guid.Parse(appointed)]));
        await Until(db => db.Set<CampaignAppointments>().AnyAsync(c => c.PositionIds.Contains(position)), "the appointment");

        // Two proposals of the researcher: one mail each to the researcher and both ambassadors, however they arrive.
        await Publish(Proposed(position, Guid.Parse(researcher)));
        await Until(db => db.Set<Notice>().AnyAsync(n => n.AccountId == researcher && n.EmailedAt != null), "the first mail");
        await Publish(Proposed(position, Guid.Parse(researcher)));
        await Until(async db => await db.Set<Notice>().CountAsync(n => n.AccountId == researcher) == 2, "the second notice");
        await Passes(2);
        var digest = Assert.Single(Notices(researcherEmail));
        Assert.Contains("/recommendations", digest);
        Assert.Contains("新推荐给您的职位", digest);
        Assert.Single(Notices(ambassadorEmail));
        Assert.Single(Notices(appointedEmail));
        Assert.Empty(Notices(hrEmail));

        // An endorsement reaches the institution's HR office at the next pass, each time.
        await Publish(Endorsed(position));
        await Eventually.True(() => Task.FromResult(Notices(hrEmail).Count == 1), Wait, "the endorsement mail");
        await Publish(Endorsed(position));
        await Eventually.True(() => Task.FromResult(Notices(hrEmail).Count == 2), Wait, "the second endorsement mail");

        // In the API: the researcher's two notices, unread until marked read.
        var tokens = await OidcFlow.SignInAsync(host.From("10.1.0.77"), researcherEmail, Password);
        var me = host.ClientAs(tokens.AccessToken);
        var list = (await me.GetFromJsonAsync<JsonObject>("/api/me/notices"))!;
        Assert.Equal(2, list["total"]!.GetValue<long>());
        Assert.Equal(2, list["unread"]!.GetValue<long>());
        Assert.All(list["items"]!.AsArray(), n => Assert.Equal("recommendation", n!["kind"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.NoContent, (await me.PostAsync("/api/me/notices/read", null)).StatusCode);
        Assert.Equal(0, (await me.GetFromJsonAsync<JsonObject>("/api/me/notices"))!["unread"]!.GetValue<long>());

        // Turned off: a new proposal, once consumed, leaves no notice for the researcher.
        Assert.Equal(HttpStatusCode.BadRequest, (await me.PutAsJsonAsync("/api/me/notice-settings", new { recommendations = false })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await me.PutAsJsonAsync("/api/me/notice-settings", new { recommendations = false, proposals = true, endorsements = true })).StatusCode);
        Assert.False((await me.GetFromJsonAsync<JsonObject>("/api/me/notice-settings"))!["recommendations"]!.GetValue<bool>());
        var third = Guid.NewGuid();
        await Publish(Proposed(position, Guid.Parse(researcher)), third);
        await Until(db => db.Database.SqlQuery<int>($"SELECT 1 AS \"Value\" FROM inbox_messages WHERE message_id = {third}").AnyAsync(), "the third proposal to be consumed");
        Assert.Equal(2, await host.WithDbAsync<IdentityDb, int>(db => db.Set<Notice>().CountAsync(n => n.AccountId == researcher)));
        Assert.Equal(3, await host.WithDbAsync<IdentityDb, int>(db => db.Set<Notice>().CountAsync(n => n.AccountId == appointed)));
    }

    /// <summary>The notice mails (not the account mails) that reached <paramref name="email"/>.</summary>
    private List<string> Notices(string email) => host.Mailbox.MessagesTo(email).Where(m => m.Contains("-- TalentMatch") && m.Contains("/notices")).ToList();

    private static MatchProposed Proposed(Guid position, Guid profile) =>
        new(Guid.NewGuid(), DateTimeOffset.UtcNow, Guid.NewGuid(), 1, position, profile, Institution, 1.5, 1, 1);

    private static MatchReviewed Endorsed(Guid position) =>
        new(Guid.NewGuid(), DateTimeOffset.UtcNow, Guid.NewGuid(), 2, position, Guid.NewGuid(), "endorse", null, "Prof. Li (x)", 1.5, 1, Institution);

    private Task Publish<T>(T message, Guid? id = null) where T : class =>
        host.Services.GetRequiredService<IBus>().Publish(message, c => c.MessageId = id ?? Guid.NewGuid());

    private Task Until(Func<IdentityDb, Task<bool>> condition, string what) =>
        Eventually.True(() => host.WithDbAsync(condition), Wait, what);

    /// <summary>Waits until the mailer has completed <paramref name="count"/> more passes than now.</summary>
    private async Task Passes(int count)
    {
        var mailer = host.Services.GetRequiredService<NoticeMailer>();
        var target = mailer.Passes + count;
        await Eventually.True(() => Task.FromResult(mailer.Passes >= target), Wait, "the mailer's passes");
    }

    private static async Task<string> Create(HttpClient admin, string email, string role, Guid[] institutions)
    {
        var created = await admin.PostAsJsonAsync("/api/accounts", new { email, password = Password, role, institutionIds = institutions, displayName = role });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonObject>())!["userId"]!.GetValue<string>();
    }
}
