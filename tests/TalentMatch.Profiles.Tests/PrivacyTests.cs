using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Profiles.Privacy;
using TalentMatch.Testing;

namespace TalentMatch.Profiles.Tests;

/// <summary>Ownership, the fields each role receives, contact sharing, the audit log, export and erasure.</summary>
public sealed class PrivacyTests(ProfilesHost host) : IClassFixture<ProfilesHost>
{
    private async Task<(Guid Id, HttpClient Owner)> OwnProfile(JsonObject? body = null)
    {
        var account = Guid.CreateVersion7();
        var owner = host.ClientAs(TestTokens.Researcher(account));
        var response = await owner.PostAsJsonAsync("/api/profiles", body ?? ProfilesApiTests.ValidProfile());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
        Assert.Equal(account, id);
        return (id, owner);
    }

    [Fact]
    public async Task A_researcher_has_one_profile_and_nobody_else_reads_or_changes_it()
    {
        var (id, owner) = await OwnProfile();
        Assert.Equal(HttpStatusCode.Conflict, (await owner.PostAsJsonAsync("/api/profiles", ProfilesApiTests.ValidProfile())).StatusCode);
        var created = await owner.GetFromJsonAsync<JsonObject>($"/api/profiles/{id}");
        Assert.Equal("2026-11", created!["consentNoticeVersion"]!.GetValue<string>());

        var stranger = host.ClientAs(TestTokens.Researcher(Guid.NewGuid()));
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/profiles/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PutAsJsonAsync($"/api/profiles/{id}", ProfilesApiTests.ValidProfile())).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.DeleteAsync($"/api/profiles/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.GetAsync("/api/profiles")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.ClientAs(TestTokens.Hr(Guid.NewGuid())).PostAsJsonAsync("/api/profiles", ProfilesApiTests.ValidProfile())).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.ClientAs(null).GetAsync($"/api/profiles/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.ClientAs(null).GetAsync("/api/taxonomy")).StatusCode);

        // Reading it as an administrator is audited; the owner's own reads are not.
        (await host.CreateClient().GetAsync($"/api/profiles/{id}")).EnsureSuccessStatusCode();
        var audit = await host.WithDbAsync<ProfilesDbContext, List<PersonalDataAccess>>(db => db.PersonalDataAccess.Where(a => a.ProfileId == id).ToListAsync());
        var row = Assert.Single(audit);
        Assert.Equal("admin", row.AccessorRole);
    }

    [Fact]
    public async Task Hr_sees_an_endorsed_candidates_card_with_contact_only_when_shared_with_its_institution()
    {
        var (id, owner) = await OwnProfile();
        var institution = ReferenceData.Institutions.Load().All[0].Id;
        var another = ReferenceData.Institutions.Load().All[1].Id;
        var hr = host.ClientAs(TestTokens.Hr(institution));
        Assert.Equal(HttpStatusCode.NotFound, (await hr.GetAsync($"/api/profiles/{id}/card")).StatusCode); // not endorsed yet

        await host.WithDbAsync<ProfilesDbContext, int>(db =>
        {
            db.Endorsements.Add(new Endorsement { ProfileId = id, PositionId = Guid.NewGuid(), InstitutionId = institution, EndorsedAt = DateTimeOffset.UtcNow });
            return db.SaveChangesAsync();
        });

        var card = (await hr.GetFromJsonAsync<JsonObject>($"/api/profiles/{id}/card"))!;
        string[] fields = ["careerStage", "contactShared", "email", "fullName", "highestDegree", "hIndex", "orcid", "phone", "preferredCities", "profileId",
            "publicationsCount", "researchFields", "skills", "yearsOfExperience"];
        Assert.Equal(fields.Order(StringComparer.Ordinal), card.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.All(new[] { "fullName", "email", "phone", "orcid" }, f => Assert.Null(card[f]));
        Assert.DoesNotContain("Zhang", card.ToJsonString());

        Assert.Equal(HttpStatusCode.OK, (await owner.PutAsync($"/api/profiles/{id}/sharing/{another}", null)).StatusCode);
        Assert.Null((await hr.GetFromJsonAsync<JsonObject>($"/api/profiles/{id}/card"))!["email"]);
        Assert.Equal(HttpStatusCode.OK, (await owner.PutAsync($"/api/profiles/{id}/sharing/{institution}", null)).StatusCode);
        card = (await hr.GetFromJsonAsync<JsonObject>($"/api/profiles/{id}/card"))!;
        Assert.Equal("zhang.wei@example.org", card["email"]!.GetValue<string>());
        Assert.Equal("Zhang Wei", card["fullName"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NotFound, (await host.ClientAs(TestTokens.Hr(another)).GetAsync($"/api/profiles/{id}/card")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.ClientAs(TestTokens.Ambassador(institution)).GetAsync($"/api/profiles/{id}/card")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await hr.PutAsync($"/api/profiles/{id}/sharing/{institution}", null)).StatusCode);

        var audit = await host.WithDbAsync<ProfilesDbContext, List<string>>(db =>
            db.PersonalDataAccess.Where(a => a.ProfileId == id).OrderBy(a => a.Id).Select(a => a.Purpose).ToListAsync());
        Assert.Equal(["card", "card", "card-with-contact"], audit);
    }

    [Fact]
    public async Task Contact_details_cannot_be_shared_with_an_institution_that_does_not_exist()
    {
        var (id, owner) = await OwnProfile();
        var unknown = Guid.NewGuid();
        var problem = await ProfilesApiTests.AssertProblem(await owner.PutAsync($"/api/profiles/{id}/sharing/{unknown}", null), HttpStatusCode.BadRequest);
        Assert.Contains("institutionId", problem["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(0, await host.WithDbAsync<ProfilesDbContext, int>(db => db.ContactSharing.CountAsync(s => s.ProfileId == id)));
    }

    [Fact]
    public async Task A_deleted_account_loses_its_token_and_its_profile_is_erased()
    {
        var (id, owner) = await OwnProfile();
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync($"/api/profiles/{id}")).StatusCode);

        // What the identity service publishes when the researcher deletes the account.
        var bus = host.Services.GetRequiredService<MassTransit.IBus>();
        await bus.Publish(new TalentMatch.Contracts.Identity.AccountDeleted(Guid.NewGuid(), DateTimeOffset.UtcNow, id, 1));

        await Eventually.True(async () => (await owner.GetAsync($"/api/profiles/{id}")).StatusCode == HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(20), "profiles to refuse the deleted account's token");
        await Eventually.True(async () => !await host.WithDbAsync<ProfilesDbContext, bool>(db => db.Profiles.AnyAsync(p => p.Id == id)),
            TimeSpan.FromSeconds(20), "profiles to erase the deleted account's profile");
        var erased = await host.WithDbAsync<ProfilesDbContext, List<OutboxMessage>>(db =>
            db.Set<OutboxMessage>().AsNoTracking().Where(m => m.MessageType == typeof(TalentMatch.Contracts.Profiles.ProfileErased).FullName).ToListAsync());
        Assert.Single(erased, m => m.Payload.Contains(id.ToString()));
        Assert.Equal(1, await host.WithDbAsync<ProfilesDbContext, int>(db =>
            db.Set<TalentMatch.Hosting.Auth.RevokedToken>().CountAsync(r => r.AccountId == id.ToString())));
        // Another researcher's token still works.
        var (other, otherOwner) = await OwnProfile();
        Assert.Equal(HttpStatusCode.OK, (await otherOwner.GetAsync($"/api/profiles/{other}")).StatusCode);
    }

    [Fact]
    public async Task Export_returns_everything_and_erasure_deletes_it_and_publishes_ProfileErased_without_personal_data()
    {
        var (id, owner) = await OwnProfile();
        var export = (await owner.GetFromJsonAsync<JsonObject>($"/api/profiles/{id}/export"))!;
        Assert.Equal("zhang.wei@example.org", export["profile"]!["email"]!.GetValue<string>());
        Assert.NotNull(export["contactSharing"]);
        Assert.NotNull(export["accessLog"]);

        Assert.Equal(HttpStatusCode.PreconditionFailed, (await owner.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/api/profiles/{id}")
        {
            Headers = { { "If-Match", "\"99\"" } },
        })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.DeleteAsync($"/api/profiles/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.GetAsync($"/api/profiles/{id}")).StatusCode);
        var erased = await host.WithDbAsync<ProfilesDbContext, List<OutboxMessage>>(db =>
            db.Set<OutboxMessage>().FromSqlInterpolated($"SELECT * FROM outbox_messages WHERE payload->>'aggregateId' = {id.ToString()}")
                .AsNoTracking().Where(m => m.MessageType == "TalentMatch.Contracts.Profiles.ProfileErased").ToListAsync());
        var message = Assert.Single(erased);
        Assert.DoesNotContain("Zhang", message.Payload);
        Assert.DoesNotContain("zhang.wei", message.Payload);
    }

    [Fact]
    public async Task Validation_errors_name_the_field_but_never_echo_personal_data()
    {
        var body = ProfilesApiTests.ValidProfile();
        body["email"] = "li.secret-address@@example";
        body["phone"] = "call me: 555-SECRET";
        body["fullName"] = new string('N', 150) + " Secretname " + new string('N', 100);
        var response = await host.ClientAs(TestTokens.Researcher(Guid.NewGuid())).PostAsJsonAsync("/api/profiles", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("email", text);
        Assert.Contains("phone", text);
        Assert.DoesNotContain("secret", text, StringComparison.OrdinalIgnoreCase);
    }
}
