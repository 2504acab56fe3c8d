using System.IO.Compression;
using System.Text.Json;
using TalentMatch.Matching.Baseline;
using TalentMatch.Matching.ReadModel;
using TalentMatch.Matching.Shortlists;
using TalentMatch.Matching.Features;

namespace TalentMatch.Matching.Learning;

/// <summary>One synthetic historical decision: a profile proposed for a position and the grade it got (0–4).</summary>
public sealed record ColdStartDecision(Guid PositionId, Guid ProfileId, int Label);

/// <summary>
/// The cold-start training set: synthetic historical decisions on the seed positions, as matching's read model holds
/// profiles and positions, with the graded labels synthetic ambassadors gave by the seeds' hidden utility. It is
/// generated once by the synthetic-data tools (<c>tests/TalentMatch.Benchmarks -- cold-start-history</c>) and embedded
/// here, so the service ships neither the generator nor the hidden utility; a test regenerates it and compares.
/// Features are computed at start-up by the same code as live ranking, so they never drift from it.
/// </summary>
public sealed record ColdStartHistory(
    string Source,
    IReadOnlyList<CandidateProfile> Profiles,
    IReadOnlyList<PositionSnapshot> Positions,
    IReadOnlyList<ColdStartDecision> Decisions)
{
    public const string ResourceName = "TalentMatch.Matching.Learning.cold-start-history.json.gz";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false };
    private static readonly Lazy<ColdStartHistory> Embedded = new(() =>
    {
        using var stream = typeof(ColdStartHistory).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new FileNotFoundException($"Embedded resource '{ResourceName}' not found.");
        return Read(stream);
    });

    /// <summary>The embedded history (read once).</summary>
    public static ColdStartHistory Load() => Embedded.Value;

    public static ColdStartHistory Read(Stream gzip)
    {
        using var json = new GZipStream(gzip, CompressionMode.Decompress);
        return JsonSerializer.Deserialize<ColdStartHistory>(json, Json) ?? throw new InvalidDataException("Empty cold-start history.");
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public void Write(Stream output)
    {
        using var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true);
        JsonSerializer.Serialize(gzip, this, Json);
    }

    /// <summary>The decisions featurised like live ranking, with the baseline's score for comparison.</summary>
    public List<LabelledRow> Rows()
    {
        var facts = new MatchFacts();
        var profiles = Profiles.ToDictionary(p => p.ProfileId, p => (Row: p, Facts: facts.Profile(p)));
        var positions = Positions.ToDictionary(p => p.PositionId, p => (Row: p, Facts: facts.Position(p)));
        var rows = new List<LabelledRow>(Decisions.Count);
        foreach (var d in Decisions)
        {
            var (profile, profileFacts) = profiles[d.ProfileId];
            var (position, positionFacts) = positions[d.PositionId];
            var features = new float[MatchFeatures.Count];
            facts.Features(profileFacts, positionFacts, features);
            rows.Add(new LabelledRow(d.PositionId, features, BaselineScorer.Score(profile, position).Score, d.Label));
        }

        return rows;
    }
}
