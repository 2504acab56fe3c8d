using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using TalentMatch.Testing;

namespace TalentMatch.EndToEnd.Tests;

/// <summary>
/// Accounts, roles and personal data across the four services as real processes through the real broker: the
/// authorization matrix generated from the OpenAPI documents, the fields each role receives, contact sharing and its
/// audit, erasure propagated to matching, and no personal data in events, logs or error queues.
/// </summary>
public sealed class AuthorizationAndPrivacyTests(Platform platform, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<Platform>
{
    private static readonly Guid X = Guid.Parse(Api.ImmunologyInstitute);
    // Another institution of the seed documents (Shenzhen Bay Laboratory): accounts for it are real ones.
    private static readonly Guid Y = Guid.Parse("156ceedc-4309-5473-bcf4-af467fde20f8");

    // ---------------------------------------------------------------- the authorization matrix

    /// <summary>Cells: An anonymous, Ro/Rf researcher owning / not owning the profile, Ho/Hf HR office of the
    /// position's institution / another, Ai/Ao ambassador with the institution in / out of scope, Ad administrator.</summary>
    private static readonly string[] Cells = ["An", "Ro", "Rf", "Ho", "Hf", "Ai", "Ao", "Ad"];

    private const string Everyone = "An Ro Rf Ho Hf Ai Ao Ad";
    private const string Authenticated = "Ro Rf Ho Hf Ai Ao Ad";

    /// <summary>Which cells may call each endpoint; every endpoint of every OpenAPI document must be listed.</summary>
    private static readonly Dictionary<string, string> Allowed = new()
    {
        ["identity POST /api/auth/signup"] = Everyone,
        ["identity POST /api/auth/password-reset"] = Everyone,
        ["identity POST /api/accounts"] = "Ad",
        ["identity GET /api/accounts"] = "Ad",
        ["identity PUT /api/accounts/{id}/role"] = "Ad",
        ["identity POST /api/accounts/{id}/disable"] = "Ad",
        ["identity POST /api/accounts/{id}/enable"] = "Ad",
        ["identity GET /api/accounts/me"] = Authenticated,
        ["identity DELETE /api/accounts/me"] = Authenticated,
        ["identity GET /api/me/notices"] = Authenticated,
        ["identity POST /api/me/notices/read"] = Authenticated,
        ["identity GET /api/me/notice-settings"] = Authenticated,
        ["identity PUT /api/me/notice-settings"] = Authenticated,

        ["profiles GET /api/taxonomy"] = Everyone,
        ["profiles GET /api/career-stages"] = Everyone,
        ["profiles GET /api/skills"] = Everyone,
        ["profiles POST /api/profiles"] = "Ro Rf Ad",
        ["profiles GET /api/profiles"] = "Ad",
        ["profiles GET /api/profiles/{id}"] = "Ro Ad",
        ["profiles PUT /api/profiles/{id}"] = "Ro Ad",
        ["profiles DELETE /api/profiles/{id}"] = "Ro Ad",
        ["profiles POST /api/profiles/{id}/withdraw"] = "Ro Ad",
        ["profiles GET /api/profiles/{id}/export"] = "Ro Ad",
        ["profiles GET /api/profiles/{id}/card"] = "Ho Ad",
        ["profiles PUT /api/profiles/{id}/sharing/{institutionId}"] = "Ro",
        ["profiles DELETE /api/profiles/{id}/sharing/{institutionId}"] = "Ro",
        ["profiles POST /api/profiles/import/json-resume"] = "Ro Rf Ad",
        ["profiles POST /api/profiles/import"] = "Ad",

        ["positions GET /api/taxonomy"] = Everyone,
        ["positions GET /api/career-stages"] = Everyone,
        ["positions GET /api/skills"] = Everyone,
        ["positions GET /api/institutions"] = Everyone,
        ["positions GET /api/institutions/{id}"] = Everyone,
        ["positions GET /api/positions/job-postings"] = Everyone,
        ["positions POST /api/positions"] = "Ho Ad",
        ["positions GET /api/positions"] = Authenticated,
        ["positions GET /api/positions/{id}"] = Authenticated,
        ["positions PUT /api/positions/{id}"] = "Ho Ad",
        ["positions POST /api/positions/{id}/open"] = "Ho Ad",
        ["positions POST /api/positions/{id}/close"] = "Ho Ad",
        ["positions POST /api/positions/{id}/fill"] = "Ho Ad",
        // The institution is checked against the posting's hiringOrganization once the body is read.
        ["positions POST /api/positions/import/job-posting"] = "Ho Hf Ad",
        // The campaign is organised by the position's institution: its HR office runs it.
        ["positions POST /api/campaigns"] = "Ho Ad",
        ["positions GET /api/campaigns"] = Authenticated,
        ["positions GET /api/campaigns/{id}"] = Authenticated,
        ["positions PUT /api/campaigns/{id}"] = "Ho Ad",
        ["positions POST /api/campaigns/{id}/close"] = "Ho Ad",
        ["positions PUT /api/campaigns/{id}/positions/{positionId}"] = "Ho Ad",
        ["positions DELETE /api/campaigns/{id}/positions/{positionId}"] = "Ho Ad",
        ["positions PUT /api/campaigns/{id}/ambassadors/{accountId}"] = "Ho Ad",
        ["positions DELETE /api/campaigns/{id}/ambassadors/{accountId}"] = "Ho Ad",

        ["matching GET /api/positions/{id}/candidates"] = "Ai Ad",
        ["matching GET /api/positions/{id}/shortlist"] = "Ai Ad",
        ["matching GET /api/positions/{positionId}/candidates/{profileId}/explanation"] = "Ai Ad",
        ["matching GET /api/profiles/{id}/recommendations"] = "Ro Ad",
        ["matching GET /api/reviews"] = "Ai Ao Ad",
        ["matching GET /api/reviews/{id}"] = "Ai Ad",
        ["matching POST /api/reviews/{id}/decision"] = "Ai Ad",
        ["matching POST /api/matches/{id}/outcomes"] = "Ho Ad",
        ["matching GET /api/positions/{id}/endorsed"] = "Ho Ad",
        ["matching PUT /api/positions/{id}/endorsed/order"] = "Ho Ad",
        ["matching PUT /api/profiles/{id}/recommendations/{positionId}/answer"] = "Ro Ad",
        ["matching GET /api/campaigns/{id}/assignment"] = "Ho Ai Ad",
        ["matching POST /api/campaigns/{id}/assignment"] = "Ho Ad",
        ["matching GET /api/campaigns/{id}/funnel"] = "Ho Ai Ad",
        ["matching GET /api/models"] = "Ai Ao Ad",
        ["matching GET /api/models/champion"] = "Ai Ao Ad",
        ["matching GET /api/models/{version}/mlnet"] = "Ai Ao Ad",
        ["matching POST /api/models/retrain"] = "Ad",
        // Each service's dead-lettered messages per receive endpoint (the web app's error-queue page).
        ["identity GET /api/ops/error-queues"] = "Ad",
        ["profiles GET /api/ops/error-queues"] = "Ad",
        ["positions GET /api/ops/error-queues"] = "Ad",
        ["matching GET /api/ops/error-queues"] = "Ad",
    };

    [Fact]
    public async Task Every_endpoint_allows_exactly_the_roles_and_objects_of_the_matrix()
    {
        // Every cell is a real account signed in through the identity provider (the administrator: its machine client).
        var (owner, ownerToken) = await platform.ResearcherAsync();
        var (_, otherToken) = await platform.ResearcherAsync();
        var (_, hrX) = await platform.StaffAsync("hr", X);
        var (_, hrY) = await platform.StaffAsync("hr", Y);
        var (_, ambassadorX) = await platform.StaffAsync("ambassador", X);
        var (_, ambassadorY) = await platform.StaffAsync("ambassador", Y);
        var (account, _) = await platform.StaffAsync("ambassador", Y); // the object of the account endpoints
        var admin = await platform.AdminTokenAsync();
        var (position, match) = await EndorsedCandidateAsync(owner, Api.Profile(), ownerToken, admin, ambassadorX, hrX);
        await Api.Create(platform.Profiles.NewClient(otherToken), "/api/profiles", Api.Profile());
        var campaign = await CampaignAsync(position, account, admin);

        var tokens = new Dictionary<string, string?>
        {
            ["An"] = null,
            ["Ro"] = ownerToken,
            ["Rf"] = otherToken,
            ["Ho"] = hrX,
            ["Hf"] = hrY,
            ["Ai"] = ambassadorX,
            ["Ao"] = ambassadorY,
            ["Ad"] = admin,
        };
        var services = new Dictionary<string, ServiceProcess>
        {
            ["identity"] = platform.Identity, ["profiles"] = platform.Profiles, ["positions"] = platform.Positions, ["matching"] = platform.Matching,
        };

        var documented = new List<string>();
        foreach (var (name, service) in services)
        {
            var doc = JsonNode.Parse(await service.NewClient(null).GetStringAsync("/openapi/v1.json"))!["paths"]!.AsObject();
            foreach (var (path, operations) in doc)
            {
                foreach (var (method, _) in operations!.AsObject())
                {
                    if (method is "get" or "post" or "put" or "delete" or "patch")
                    {
                        documented.Add($"{name} {method.ToUpperInvariant()} {path}");
                    }
                }
            }
        }

        Assert.Empty(documented.Except(Allowed.Keys)); // an endpoint missing from the matrix fails the test
        Assert.Empty(Allowed.Keys.Except(documented)); // and so does a row for an endpoint that no longer exists

        var wrong = new List<string>();
        // Deleting one's own account really deletes it (and revokes its tokens): that row goes last.
        const string deleteMe = "identity DELETE /api/accounts/me";
        foreach (var endpoint in documented.Order().Where(e => e != deleteMe).Append(deleteMe))
        {
            var parts = endpoint.Split(' ');
            var (service, method, template) = (services[parts[0]], new HttpMethod(parts[1]), parts[2]);
            var path = template
                .Replace("{institutionId}", X.ToString()).Replace("{positionId}", position.ToString()).Replace("{profileId}", owner.ToString())
                .Replace("{accountId}", account.ToString())
                .Replace("{version}", "1") // the cold-start champion, trained by ML.NET
                .Replace("{id}", template.StartsWith("/api/profiles/") ? owner.ToString()
                    : template.StartsWith("/api/accounts/") ? account.ToString()
                    : template.StartsWith("/api/positions/") ? position.ToString()
                    : template.StartsWith("/api/institutions/") ? X.ToString()
                    : template.StartsWith("/api/campaigns/") ? campaign.ToString()
                    : match.ToString());
            var allowed = Allowed[endpoint].Split(' ');
            foreach (var cell in Cells)
            {
                using var request = new HttpRequestMessage(method, path);
                if (method != HttpMethod.Get)
                {
                    request.Headers.TryAddWithoutValidation("If-Match", "\"999\""); // allowed changes stop at 412
                }

                request.Content = BodyFor(method.Method + " " + template);
                var response = await service.NewClient(tokens[cell]).SendAsync(request);
                var status = (int)response.StatusCode;
                var denied = status is 401 or 403 or 404;
                var expectDenied = !allowed.Contains(cell);
                if (denied != expectDenied || (expectDenied && cell == "An" && status != 401))
                {
                    wrong.Add($"{endpoint} as {cell}: {status}, expected {(expectDenied ? "denied" : "allowed")}");
                }
            }
        }

        Assert.Empty(wrong);
    }

    private static JsonContent? BodyFor(string endpoint) => endpoint switch
    {
        "POST /api/profiles" or "PUT /api/profiles/{id}" => JsonContent.Create(Api.Profile()),
        "POST /api/positions" or "PUT /api/positions/{id}" => JsonContent.Create(Api.Position()),
        "PUT /api/accounts/{id}/role" => JsonContent.Create(new { role = "ambassador", institutionIds = new[] { X, Y } }),
        "POST /api/reviews/{id}/decision" => JsonContent.Create(new { decision = "endorse" }),
        "POST /api/matches/{id}/outcomes" => JsonContent.Create(new { outcome = "contacted" }),
        "POST /api/campaigns" or "PUT /api/campaigns/{id}" => JsonContent.Create(Campaign()),
        "PUT /api/campaigns/{id}/ambassadors/{accountId}" => JsonContent.Create(new { appointedOn = "2026-03-01", letterReference = "TIA-2026-7" }),
        "PUT /api/profiles/{id}/recommendations/{positionId}/answer" => JsonContent.Create(new { answer = "interested" }),
        "PUT /api/positions/{id}/endorsed/order" => JsonContent.Create(new { profileIds = Array.Empty<Guid>() }),
        "PUT /api/me/notice-settings" => JsonContent.Create(new { recommendations = true, proposals = true, endorsements = true }),
        _ => null,
    };

    private static object Campaign() => new
    {
        nameEn = "Immunology talent introduction", nameZh = "免疫学人才引进",
        organiser = new { nameEn = "Chongqing International Institute for Immunology", nameZh = "重庆国际免疫研究院", institutionId = X },
        institutionIds = new[] { X }, opensOn = "2026-01-01", closesOn = "2027-06-30", targetHires = 2,
    };

    /// <summary>A campaign of the position's institution holding the position, known to matching, with an assignment computed.</summary>
    private async Task<Guid> CampaignAsync(Guid position, Guid ambassador, string admin)
    {
        var positions = platform.Positions.NewClient(admin);
        var campaign = await Api.Create(positions, "/api/campaigns", JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(Campaign()))!.AsObject());
        Assert.Equal(HttpStatusCode.OK, (await positions.PutAsync($"/api/campaigns/{campaign}/positions/{position}", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await positions.PutAsJsonAsync($"/api/campaigns/{campaign}/ambassadors/{ambassador}",
            new { appointedOn = "2026-03-01", letterReference = "TIA-2026-7" })).StatusCode);
        var matching = platform.Matching.NewClient(admin);
        await Eventually.True(async () => (await matching.GetAsync($"/api/campaigns/{campaign}/funnel")).IsSuccessStatusCode, TimeSpan.FromSeconds(60),
            "the campaign to reach matching");
        Assert.Equal(HttpStatusCode.OK, (await matching.PostAsync($"/api/campaigns/{campaign}/assignment", null)).StatusCode);
        return campaign;
    }

    // ---------------------------------------------------------------- personal data

    [Fact]
    public async Task Contact_is_shared_per_institution_accesses_are_audited_and_erasure_reaches_matching()
    {
        var marker = Guid.NewGuid().ToString("N")[..8];
        var fullName = $"Lixia Erasure{marker}";
        var email = $"lixia.{marker}@example.org";
        const string phone = "+86 23 6111 2233";

        // A researcher signs up and signs in through the identity provider; the token works in every service.
        var identity = platform.Identity.NewClient(null);
        // Sign-up answers 202 whether or not the address is taken (no account enumeration); then the researcher signs in.
        var weak = await identity.PostAsJsonAsync("/api/auth/signup", new { email = "x" + email, password = "short" });
        Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
        var (researcherId, researcherToken) = await platform.ResearcherAsync(email, "correct horse battery staple");
        // Identity v3 hash format: 0x01, PRF (4 bytes), iteration count (4 bytes, big-endian), salt length, salt, subkey.
        await using (var connection = new NpgsqlConnection(platform.ConnectionString("Identity")))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"SELECT \"PasswordHash\" FROM \"AspNetUsers\" WHERE \"Id\" = '{researcherId}'", connection);
            var hash = Convert.FromBase64String((string)(await command.ExecuteScalarAsync())!);
            Assert.Equal(0x01, hash[0]);
            Assert.True(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(hash.AsSpan(5, 4)) >= 210_000);
        }

        // Five wrong passwords lock this client address out of the account: even the right one is refused for a while,
        // with the answer an unknown address gets (other addresses are not locked out: the identity service tests).
        var victim = $"locked.{marker}@example.org";
        Assert.Equal(HttpStatusCode.Accepted, (await identity.PostAsJsonAsync("/api/auth/signup", new { email = victim, password = "the-right-password-1" })).StatusCode);
        var browser = platform.Browser();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await OidcFlow.SubmitLoginAsync(browser, victim, "a-wrong-password-" + i)).StatusCode);
        }

        var locked = await OidcFlow.SubmitLoginAsync(browser, victim, "the-right-password-1");
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        var unknown = await OidcFlow.SubmitLoginAsync(browser, $"nobody.{marker}@example.org", "the-right-password-1");
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Contains("Wrong e-mail address or password.", await locked.Content.ReadAsStringAsync());

        // The administrator creates the HR office of X; it signs in through the provider too.
        var adminToken = await platform.AdminTokenAsync();
        var (_, hrToken) = await platform.StaffAsync("hr", X);
        var (_, hrOfY) = await platform.StaffAsync("hr", Y);
        var (_, ambassadorToken) = await platform.StaffAsync("ambassador", X);

        var profileBody = Api.Profile();
        profileBody["fullName"] = fullName;
        profileBody["email"] = email;
        profileBody["phone"] = phone;
        var (position, _) = await EndorsedCandidateAsync(researcherId, profileBody, researcherToken, adminToken, ambassadorToken, hrToken);

        // Consent to matching is recorded with its time and notice version.
        var own = await platform.Profiles.NewClient(researcherToken).GetFromJsonAsync<JsonObject>($"/api/profiles/{researcherId}");
        Assert.Equal(email, own!["email"]!.GetValue<string>());
        Assert.NotNull(own["consentGivenAt"]);
        Assert.False(string.IsNullOrEmpty(own["consentNoticeVersion"]?.GetValue<string>()));

        // HR of X: the profile itself is not theirs; the card has no contact fields until the researcher shares them.
        var hr = platform.Profiles.NewClient(hrToken);
        Assert.Contains((await hr.GetAsync($"/api/profiles/{researcherId}")).StatusCode, new[] { HttpStatusCode.Forbidden, HttpStatusCode.NotFound });
        var card = (await hr.GetFromJsonAsync<JsonObject>($"/api/profiles/{researcherId}/card"))!;
        Assert.False(card["contactShared"]!.GetValue<bool>());
        foreach (var field in new[] { "fullName", "email", "phone", "orcid" })
        {
            Assert.Null(card[field]);
        }

        Assert.DoesNotContain(email, card.ToJsonString());
        Assert.DoesNotContain(fullName, card.ToJsonString());

        var researcher = platform.Profiles.NewClient(researcherToken);
        Assert.Equal(HttpStatusCode.OK, (await researcher.PutAsync($"/api/profiles/{researcherId}/sharing/{X}", null)).StatusCode);
        card = (await hr.GetFromJsonAsync<JsonObject>($"/api/profiles/{researcherId}/card"))!;
        Assert.True(card["contactShared"]!.GetValue<bool>());
        Assert.Equal(email, card["email"]!.GetValue<string>());
        Assert.Equal(fullName, card["fullName"]!.GetValue<string>());
        // HR of another institution sees nothing even now.
        Assert.Equal(HttpStatusCode.NotFound, (await platform.Profiles.NewClient(hrOfY).GetAsync($"/api/profiles/{researcherId}/card")).StatusCode);

        // Revoked: back to the pseudonymous card.
        Assert.Equal(HttpStatusCode.NoContent, (await researcher.DeleteAsync($"/api/profiles/{researcherId}/sharing/{X}")).StatusCode);
        card = (await hr.GetFromJsonAsync<JsonObject>($"/api/profiles/{researcherId}/card"))!;
        Assert.Null(card["email"]);

        // Every access by someone else is audited; the export shows it to the researcher.
        var export = (await researcher.GetFromJsonAsync<JsonObject>($"/api/profiles/{researcherId}/export"))!;
        Assert.Equal(email, export["profile"]!["email"]!.GetValue<string>());
        var accesses = export["accessLog"]!.AsArray();
        Assert.True(accesses.Count(a => a!["accessorRole"]!.GetValue<string>() == "hr") >= 3); // the reads above (and the set-up's probe)
        Assert.Contains(accesses, a => a!["purpose"]!.GetValue<string>() == "card-with-contact");

        // Erasure: the profile goes here, and ProfileErased through the broker purges and anonymises matching.
        var matchesBefore = await Scalar(platform.ConnectionString("Matching"), $"SELECT count(*) FROM matches WHERE position_id = '{position}'");
        Assert.Equal(HttpStatusCode.NoContent, (await researcher.DeleteAsync($"/api/profiles/{researcherId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await researcher.GetAsync($"/api/profiles/{researcherId}")).StatusCode);
        Assert.Equal(0L, await Scalar(platform.ConnectionString("Profiles"), $"SELECT count(*) FROM profiles WHERE id = '{researcherId}'"));
        Assert.Equal(0L, await Scalar(platform.ConnectionString("Profiles"), $"SELECT count(*) FROM contact_sharing WHERE profile_id = '{researcherId}'"));
        var matching = platform.ConnectionString("Matching");
        await Eventually.True(async () => await Scalar(matching,
            $"SELECT count(*) FROM candidate_profiles WHERE profile_id = '{researcherId}' AND withdrawn AND cardinality(research_fields) = 0 AND cardinality(skills) = 0") == 1,
            Api.Wait, "matching to purge the erased profile");
        Assert.Equal(0L, await Scalar(matching, $"SELECT count(*) FROM shortlist_entries WHERE profile_id = '{researcherId}'"));
        Assert.Equal(0L, await Scalar(matching, $"SELECT count(*) FROM recommendations WHERE profile_id = '{researcherId}'"));
        Assert.Equal(0L, await Scalar(matching, $"SELECT count(*) FROM matches WHERE profile_id = '{researcherId}'"));
        // Training data stays (features, labels, decisions), under an id that links to nobody.
        Assert.Equal(matchesBefore, await Scalar(matching, $"SELECT count(*) FROM matches WHERE position_id = '{position}'"));
        Assert.True(await Scalar(matching, $"SELECT count(*) FROM match_decisions d JOIN matches m ON m.id = d.match_id WHERE m.position_id = '{position}'") >= 1);

        // No personal data in any published event (outbox payloads of every service), service log or error queue.
        string[] personal = [fullName, email, "6111 2233", marker];
        foreach (var service in new[] { "Profiles", "Positions", "Matching" })
        {
            Assert.Equal(0L, await Scalar(platform.ConnectionString(service),
                $"SELECT count(*) FROM outbox_messages WHERE {string.Join(" OR ", personal.Select(p => $"payload::text ILIKE '%{p}%'"))}"));
        }

        foreach (var process in new[] { platform.Profiles, platform.Positions, platform.Matching, platform.Identity })
        {
            var log = await ReadShared(process.LogPath);
            Assert.True(log.Length > 0, process.LogPath);
            foreach (var p in personal)
            {
                Assert.DoesNotContain(p, log, StringComparison.OrdinalIgnoreCase);
            }
        }

        var queues = await RabbitQueues(platform.VirtualHost);
        Assert.All(queues.Where(q => q.Name.EndsWith("_error", StringComparison.Ordinal)), q => Assert.Equal(0, q.Messages));
    }

    [Fact]
    public async Task Deleting_an_account_revokes_its_token_on_every_service_and_erases_its_profile()
    {
        var marker = Guid.NewGuid().ToString("N")[..8];
        var email = $"leaving.{marker}@example.org";
        const string password = "a-password-to-delete-01";
        var (id, token) = await platform.ResearcherAsync(email, password);

        var profile = Api.Profile();
        profile["email"] = email;
        Assert.Equal(id, await Api.Create(platform.Profiles.NewClient(token), "/api/profiles", profile));
        await Eventually.True(async () => await Scalar(platform.ConnectionString("Matching"),
            $"SELECT count(*) FROM candidate_profiles WHERE profile_id = '{id}' AND NOT withdrawn") == 1, Api.Wait, "matching to hold the profile");

        // What the token can do on each service before the deletion.
        var probes = new (ServiceProcess Service, string Path)[]
        {
            (platform.Identity, "/api/accounts/me"),
            (platform.Profiles, $"/api/profiles/{id}/export"),
            (platform.Positions, "/api/positions"),
            (platform.Matching, $"/api/profiles/{id}/recommendations"),
        };
        foreach (var (service, path) in probes)
        {
            Assert.Equal(HttpStatusCode.OK, (await service.NewClient(token).GetAsync(path)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await platform.Identity.NewClient(token).DeleteAsync("/api/accounts/me")).StatusCode);
        var deletedAt = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.Unauthorized, (await platform.Identity.NewClient(token).GetAsync("/api/accounts/me")).StatusCode); // at once

        // Every other service learns of it through the broker: the same token gets 401 everywhere within moments.
        foreach (var (service, path) in probes)
        {
            await Eventually.True(async () => (await service.NewClient(token).GetAsync(path)).StatusCode == HttpStatusCode.Unauthorized,
                TimeSpan.FromSeconds(20), $"{service.Name} to refuse the deleted account's token");
        }

        var revokedEverywhere = deletedAt.Elapsed;
        Assert.True(revokedEverywhere < TimeSpan.FromSeconds(10), $"revocation took {revokedEverywhere}");
        foreach (var service in new[] { "Profiles", "Positions", "Matching", "Identity" })
        {
            Assert.Equal(1L, await Scalar(platform.ConnectionString(service), $"SELECT count(*) FROM revoked_tokens WHERE account_id = '{id}'"));
        }

        // ... and the profile is erased as DELETE /api/profiles/{id} erases it, down to matching's tombstone.
        await Eventually.True(async () => await Scalar(platform.ConnectionString("Profiles"), $"SELECT count(*) FROM profiles WHERE id = '{id}'") == 0,
            Api.Wait, "profiles to erase the deleted account's profile");
        await Eventually.True(async () => await Scalar(platform.ConnectionString("Matching"),
            $"SELECT count(*) FROM candidate_profiles WHERE profile_id = '{id}' AND withdrawn AND cardinality(research_fields) = 0") == 1,
            Api.Wait, "matching to purge the erased profile");
        Assert.Equal(0L, await Scalar(platform.ConnectionString("Profiles"),
            $"SELECT count(*) FROM outbox_messages WHERE payload::text ILIKE '%{marker}%'"));
        output.WriteLine($"deleted account's token refused by every service {revokedEverywhere.TotalMilliseconds:0} ms after the deletion");
    }

    /// <summary>A position of X (by the administrator), the researcher's profile, its proposal, and an ambassador's endorsement seen by profiles.</summary>
    private async Task<(Guid Position, Guid Match)> EndorsedCandidateAsync(
        Guid researcher, JsonObject profile, string researcherToken, string admin, string ambassadorToken, string hrToken)
    {
        var position = await Api.Create(platform.Positions.NewClient(admin), "/api/positions", Api.Position());
        var created = await Api.Create(platform.Profiles.NewClient(researcherToken), "/api/profiles", profile);
        Assert.Equal(researcher, created); // a researcher's profile id is their account id
        var ambassador = platform.Matching.NewClient(ambassadorToken);
        var queue = await Eventually.Get(async () => await ambassador.GetFromJsonAsync<JsonObject>($"/api/reviews?positionId={position}"),
            q => q!["items"]!.AsArray().Any(i => i!["profileId"]!.GetValue<Guid>() == researcher), Api.Wait, "the profile proposed for review");
        var match = queue!["items"]!.AsArray().First(i => i!["profileId"]!.GetValue<Guid>() == researcher)!["id"]!.GetValue<Guid>();
        var endorse = await ambassador.PostAsJsonAsync($"/api/reviews/{match}/decision", new { decision = "endorse" });
        Assert.Equal(HttpStatusCode.OK, endorse.StatusCode);
        var hr = platform.Profiles.NewClient(hrToken);
        await Eventually.True(async () => (await hr.GetAsync($"/api/profiles/{researcher}/card?probe=1")).IsSuccessStatusCode, Api.Wait,
            "profiles to learn of the endorsement");
        return (position, match);
    }

    private static async Task<long> Scalar(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    private static async Task<string> ReadShared(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    private static async Task<List<(string Name, int Messages)>> RabbitQueues(string vhost)
    {
        var info = new System.Diagnostics.ProcessStartInfo("bash",
            [Path.Combine(RepositoryPaths.Root, "deploy", "infra.sh"), "rabbitmqctl", "list_queues", "-p", vhost, "name", "messages", "--quiet", "--no-table-headers"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = System.Diagnostics.Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.Length == 2 && int.TryParse(p[1], out _))
            .Select(p => (p[0], int.Parse(p[1]))).ToList();
    }
}

/// <summary>Only the identity service, with a low sign-in rate limit.</summary>
public sealed class RateLimitedIdentity : Platform
{
    protected override bool StartServicesImmediately => false;
    protected override int AuthRateLimit => 5;
}

public sealed class LoginRateLimitTests(RateLimitedIdentity platform) : IClassFixture<RateLimitedIdentity>
{
    [Fact]
    public async Task Repeated_sign_ins_from_one_address_get_429_with_retry_after()
    {
        await platform.Identity.StartAsync();
        var client = platform.Identity.NewClient(null);
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        var browser = platform.Browser();
        for (var i = 0; i < 8; i++)
        {
            last = await OidcFlow.SubmitLoginAsync(browser, "nobody@example.org", "wrong-password-000");
            statuses.Add(last.StatusCode);
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, 5), statuses.Take(5));
        Assert.All(statuses.Skip(5), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        Assert.True(last!.Headers.RetryAfter?.Delta > TimeSpan.Zero || last.Headers.Contains("Retry-After"));
        // The token endpoint and sign-up share the limit.
        var token = await client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "nobody", ["client_secret"] = "nothing",
        }));
        Assert.Equal(HttpStatusCode.TooManyRequests, token.StatusCode);
        var signUp = await client.PostAsJsonAsync("/api/auth/signup", new { email = "new@example.org", password = "a-long-enough-password" });
        Assert.Equal(HttpStatusCode.TooManyRequests, signUp.StatusCode);
    }
}
