using System.Net;
using System.Net.Http.Json;
using TalentMatch.Testing;

namespace TalentMatch.EndToEnd.Tests;

/// <summary>Profile and position changes made over HTTP reach matching's ranking through the real broker.</summary>
public sealed class CandidateFlowTests(Platform platform) : IClassFixture<Platform>
{
    [Fact]
    public async Task A_profile_is_ranked_for_a_position_then_drops_when_it_no_longer_fits_and_is_gone_when_withdrawn()
    {
        var position = await Api.Create(platform.Positions.Client, "/api/positions", Api.Position());
        var profile = await Api.Create(platform.Profiles.Client, "/api/profiles", Api.Profile());

        var ranked = await Api.CandidatesUntil(platform.Matching.Client, position, c => c.Any(x => x.Id == profile), "the new profile to be ranked");
        Assert.True(ranked!.Single(x => x.Id == profile).Score > 0.9);

        // Moves to materials science: no longer a candidate for an immunology post.
        var moved = await platform.Profiles.Client.PutAsJsonAsync($"/api/profiles/{profile}", Api.Profile("ENG.MAT.NANO"));
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        await Api.CandidatesUntil(platform.Matching.Client, position, c => c.All(x => x.Id != profile), "the profile to drop out");

        // Back in the field, then withdrawn: gone for good.
        (await platform.Profiles.Client.PutAsJsonAsync($"/api/profiles/{profile}", Api.Profile())).EnsureSuccessStatusCode();
        await Api.CandidatesUntil(platform.Matching.Client, position, c => c.Any(x => x.Id == profile), "the profile to return");
        (await platform.Profiles.Client.PostAsync($"/api/profiles/{profile}/withdraw", null)).EnsureSuccessStatusCode();
        await Api.CandidatesUntil(platform.Matching.Client, position, c => c.All(x => x.Id != profile), "the withdrawn profile to disappear");
    }

    [Fact]
    public async Task A_closed_position_has_no_candidates()
    {
        var position = await Api.Create(platform.Positions.Client, "/api/positions", Api.Position());
        await Api.CandidatesUntil(platform.Matching.Client, position, _ => true, "the position to reach matching");

        (await platform.Positions.Client.PostAsync($"/api/positions/{position}/close", null)).EnsureSuccessStatusCode();

        await Eventually.True(async () => await Api.Candidates(platform.Matching.Client, position) is null, Api.Wait, "the closed position to leave matching");
    }

    [Fact]
    public async Task Every_service_reports_ready_with_database_and_broker()
    {
        foreach (var service in new[] { platform.Profiles, platform.Positions, platform.Matching })
        {
            await Eventually.True(async () => (await service.Client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK,
                Api.Wait, $"{service.Name} to be ready");
        }
    }
}
