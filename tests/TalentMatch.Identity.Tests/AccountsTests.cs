using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TalentMatch.Contracts.Identity;
using TalentMatch.Hosting.Auth;
using TalentMatch.Hosting.Messaging;
using TalentMatch.ReferenceData;
using TalentMatch.Testing;

namespace TalentMatch.Identity.Tests;

/// <summary>Sign-up, sign-in protection, account enumeration, validation and account deletion.</summary>
public sealed class AccountsTests(IdentityHost host) : IClassFixture<IdentityHost>
{
    private const string Password = "the-right-password-01";

    private static string NewEmail() => $"user.{Guid.NewGuid():N}@example.org";

    private async Task<string> SignUpAsync(string? email = null)
    {
        email ??= NewEmail();
        await host.SignUpAndConfirmAsync(email, Password);
        return email;
    }

    /// <summary>The provider's sign-in form; a success redirects (302) back to the authorization endpoint.</summary>
    private static Task<HttpResponseMessage> Login(HttpClient client, string email, string password) =>
        OidcFlow.SubmitLoginAsync(client, email, password);

    /// <summary>An answer without what differs per request (trace id; the sign-in page's anti-forgery token).</summary>
    private static async Task<(HttpStatusCode Status, string Body)> Answer(HttpResponseMessage response)
    {
        if (response.Content.Headers.ContentType?.MediaType == "text/html")
        {
            var html = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, System.Text.RegularExpressions.Regex.Match(html, "<p id=\"error\"[^>]*>[^<]*</p>").Value);
        }

        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        body.Remove("traceId");
        return (response.StatusCode, body.ToJsonString());
    }

    private async Task<HttpClient> AdminAsync() => host.ClientAs(await OidcFlow.ClientCredentialsAsync(host.CreateClient()));

    [Fact]
    public async Task Five_failures_lock_out_the_attacking_address_while_the_owner_signs_in_from_another()
    {
        var email = await SignUpAsync();
        var attacker = host.From("203.0.113.66");
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await Login(attacker, email, "a-wrong-password-" + i)).StatusCode);
        }

        // Locked out: even the right password is refused from the attacking address, answered like a wrong one.
        var locked = await Login(attacker, email, Password);
        var wrong = await Login(host.From("203.0.113.67"), email, "another-wrong-password");
        Assert.Equal(await Answer(wrong), await Answer(locked));

        // The owner, from anywhere else, is not locked out.
        var owner = await Login(host.From("198.51.100.7"), email, Password);
        Assert.Equal(HttpStatusCode.Redirect, owner.StatusCode);
        Assert.Contains(owner.Headers.GetValues("Set-Cookie"), c => c.StartsWith("tm.identity=", StringComparison.Ordinal));

        // An IPv6 attacker is counted by its /64: a new address in the same network is still locked out.
        var v6 = await SignUpAsync();
        for (var i = 0; i < 5; i++)
        {
            await Login(host.From($"2001:db8:1:2::{i + 1}"), v6, "a-wrong-password");
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await Login(host.From("2001:db8:1:2::99"), v6, Password)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await Login(host.From("2001:db8:9:9::1"), v6, Password)).StatusCode);
    }

    [Fact]
    public async Task The_administrator_cannot_be_locked_out_by_anyone_who_knows_the_address()
    {
        for (var i = 0; i < 8; i++)
        {
            await Login(host.From("203.0.113.99"), IdentityHost.AdminEmail, "guessing-" + i);
        }

        Assert.Equal(HttpStatusCode.Redirect, (await Login(host.From("192.0.2.10"), IdentityHost.AdminEmail, IdentityHost.AdminPassword)).StatusCode);
    }

    [Fact]
    public async Task Failures_from_many_addresses_slow_every_attempt_with_429_and_retry_after_but_lock_nobody_out()
    {
        var email = await SignUpAsync();
        for (var a = 1; a <= 5; a++)
        {
            for (var i = 0; i < 2; i++)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await Login(host.From($"203.0.113.{a}"), email, "wrong-password-" + i)).StatusCode);
            }
        }

        var owner = host.From("198.51.100.20");
        var slowed = await Login(owner, email, Password);
        Assert.Equal(HttpStatusCode.TooManyRequests, slowed.StatusCode);
        var wait = slowed.Headers.RetryAfter?.Delta;
        Assert.NotNull(wait);
        Assert.InRange(wait.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
        // An unknown address under the same attack is answered the same way (nothing tells which addresses exist).
        var unknown = NewEmail();
        for (var a = 1; a <= 5; a++)
        {
            for (var i = 0; i < 2; i++)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await Login(host.From($"203.0.113.{a}"), unknown, "wrong-password-" + i)).StatusCode);
            }
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await Login(owner, unknown, Password)).StatusCode);

        // After the delay the owner signs in.
        await Task.Delay(wait.Value + TimeSpan.FromMilliseconds(200));
        Assert.Equal(HttpStatusCode.Redirect, (await Login(owner, email, Password)).StatusCode);
    }

    [Fact]
    public async Task Lock_out_and_unknown_address_get_the_same_answer()
    {
        var email = await SignUpAsync();
        var client = host.From("203.0.113.150");
        for (var i = 0; i < 5; i++)
        {
            await Login(client, email, "wrong-password-" + i);
        }

        var locked = await Login(client, email, Password);
        var unknown = await Login(host.From("203.0.113.151"), NewEmail(), Password);
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        var lockedAnswer = await Answer(locked);
        Assert.Equal(await Answer(unknown), lockedAnswer);
        Assert.DoesNotContain("lock", lockedAnswer.Body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Sign_up_with_a_taken_address_answers_as_a_fresh_one_and_changes_nothing()
    {
        var email = await SignUpAsync();
        var (idBefore, hashBefore) = await UserRow(email);

        var fresh = await host.From("10.1.0.2").PostAsJsonAsync("/api/auth/signup", new { email = NewEmail(), password = "some-other-password-02" });
        var taken = await host.From("10.1.0.3").PostAsJsonAsync("/api/auth/signup", new { email, password = "some-other-password-02" });
        Assert.Equal(HttpStatusCode.Accepted, taken.StatusCode);
        Assert.Equal(fresh.StatusCode, taken.StatusCode);
        Assert.Equal(await fresh.Content.ReadAsStringAsync(), await taken.Content.ReadAsStringAsync());
        Assert.Equal(fresh.Headers.Location, taken.Headers.Location);

        // Weak passwords get the same 400 for a taken and a fresh address.
        var weakTaken = await host.From("10.1.0.3").PostAsJsonAsync("/api/auth/signup", new { email, password = "short" });
        var weakFresh = await host.From("10.1.0.3").PostAsJsonAsync("/api/auth/signup", new { email = NewEmail(), password = "short" });
        Assert.Equal(HttpStatusCode.BadRequest, weakTaken.StatusCode);
        Assert.Equal(await Answer(weakFresh), await Answer(weakTaken));

        Assert.Equal((idBefore, hashBefore), await UserRow(email));
        Assert.Equal(HttpStatusCode.Redirect, (await Login(host.From("10.1.0.4"), email, Password)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Login(host.From("10.1.0.4"), email, "some-other-password-02")).StatusCode);
    }

    [Theory]
    [InlineData("a@b")]
    [InlineData("a@")]
    [InlineData("@b.c")]
    [InlineData("a@b.")]
    [InlineData("a b@example.org")]
    public async Task An_e_mail_address_without_a_domain_is_refused(string email)
    {
        var response = await host.From("10.1.0.5").PostAsJsonAsync("/api/auth/signup", new { email, password = Password });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("email", (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key));
        var admin = await AdminAsync();
        var hr = await admin.PostAsJsonAsync("/api/accounts", new { email, password = Password, role = "hr", institutionIds = new[] { Institutions.Load().All[0].Id } });
        Assert.Equal(HttpStatusCode.BadRequest, hr.StatusCode);
        Assert.Equal(0, await host.WithDbAsync<IdentityDb, int>(db => db.Users.CountAsync(u => u.Email == email)));
    }

    [Fact]
    public async Task An_hr_office_or_ambassador_needs_an_institution_that_exists()
    {
        var admin = await AdminAsync();
        var email = NewEmail();
        var hr = await admin.PostAsJsonAsync("/api/accounts", new { email, password = Password, role = "hr", institutionIds = new[] { Guid.NewGuid() } });
        Assert.Equal(HttpStatusCode.BadRequest, hr.StatusCode);
        Assert.Contains("institutionIds", (await hr.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key));
        var ambassador = await admin.PostAsJsonAsync("/api/accounts",
            new { email, password = Password, role = "ambassador", institutionIds = new[] { Institutions.Load().All[0].Id, Guid.NewGuid() } });
        Assert.Equal(HttpStatusCode.BadRequest, ambassador.StatusCode);
        Assert.Equal(0, await host.WithDbAsync<IdentityDb, int>(db => db.Users.CountAsync(u => u.Email == email)));

        var valid = await admin.PostAsJsonAsync("/api/accounts", new { email, password = Password, role = "hr", institutionIds = new[] { Institutions.Load().All[0].Id } });
        Assert.Equal(HttpStatusCode.Created, valid.StatusCode);
    }

    [Fact]
    public async Task Deleting_an_account_revokes_its_token_at_once_and_tells_the_other_services()
    {
        var email = await SignUpAsync();
        var tokens = await OidcFlow.SignInAsync(host.From("10.1.0.6"), email, Password);
        var client = host.ClientAs(tokens.AccessToken);
        var me = await client.GetAsync("/api/accounts/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        var id = (await me.Content.ReadFromJsonAsync<JsonObject>())!["userId"]!.GetValue<string>();

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/accounts/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/accounts/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.DeleteAsync("/api/accounts/me")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await OidcFlow.TryRefreshAsync(host.CreateClient(), tokens.RefreshToken!)).StatusCode);

        // The account, its revocation and the event that carries it to the other services, stored together.
        Assert.Equal(0, await host.WithDbAsync<IdentityDb, int>(db => db.Users.CountAsync(u => u.Id == id)));
        Assert.Equal(1, await host.WithDbAsync<IdentityDb, int>(db => db.Set<RevokedToken>().CountAsync(r => r.AccountId == id)));
        var events = await host.WithDbAsync<IdentityDb, List<OutboxMessage>>(db => db.Set<OutboxMessage>()
            .Where(m => m.MessageType == typeof(AccountDeleted).FullName).AsNoTracking().ToListAsync());
        Assert.Single(events, e => e.Payload.Contains(id));
        Assert.DoesNotContain(events, e => e.Payload.Contains(email, StringComparison.OrdinalIgnoreCase));

        // Another account's token still works.
        var other = await OidcFlow.SignInAsync(host.From("10.1.0.7"), await SignUpAsync(), Password);
        Assert.Equal(HttpStatusCode.OK, (await host.ClientAs(other.AccessToken).GetAsync("/api/accounts/me")).StatusCode);
    }

    [Fact]
    public void MassTransit_usage_telemetry_is_off() =>
        Assert.False(host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MassTransit.UsageTelemetryOptions>>().Value.Enabled);

    [Fact]
    public async Task The_migrated_schema_matches_the_model() =>
        await host.WithDbAsync<IdentityDb, bool>(async db =>
        {
            await SchemaAssert.MigratedSchemaMatchesModel(db);
            return true;
        });

    private Task<(string Id, string? Hash)> UserRow(string email) =>
        host.WithDbAsync<IdentityDb, (string, string?)>(async db =>
        {
            var user = await db.Users.AsNoTracking().SingleAsync(u => u.Email == email);
            return (user.Id, user.PasswordHash);
        });
}
