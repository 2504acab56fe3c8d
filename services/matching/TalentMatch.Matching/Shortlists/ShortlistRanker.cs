using System.Text.Json;
using TalentMatch.Matching.ReadModel;
using TalentMatch.Matching.Features;
using TalentMatch.Ranking.Model;

namespace TalentMatch.Matching.Shortlists;

/// <summary>A scored candidate–position pair.</summary>
public readonly record struct Scored(Guid Id, double Score);

/// <summary>One feature's share of a score, as shown to reviewers.</summary>
public sealed record Contribution(string Feature, float Value, double Amount);

/// <summary>
/// Hard constraints applied before the model ranks anyone: consent to matching, not withdrawn, at least the minimum
/// degree, a career stage inside the position's range, and acceptance of the position's employment mode. The SQL
/// candidate query in <see cref="ShortlistWorker"/> applies the same rules (plus the shared-field index).
/// </summary>
public static class CandidateConstraints
{
    public static bool Satisfied(CandidateProfile p, PositionSnapshot position) =>
        !p.Withdrawn && p.ConsentToMatching
        && p.DegreeLevel >= position.MinimumDegree
        && p.CareerStage >= position.CareerStageMin && p.CareerStage <= position.CareerStageMax
        && (p.EmploymentModes & position.EmploymentMode) != 0
        && SharesField(p.FieldKeys, ResearchFieldKeys.QueryKeys(position.ResearchFields));

    private static bool SharesField(string[] profileKeys, string[] positionKeys)
    {
        foreach (var k in positionKeys)
        {
            if (Array.IndexOf(profileKeys, k) >= 0)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// Scores candidate pools with the champion model: features into one reused buffer, the model on the flattened trees,
/// and a bounded min-heap for the top K, so ranking a position over a large pool allocates almost nothing per pair.
/// </summary>
public sealed class ShortlistRanker(MatchFacts facts)
{
    public const int TopContributionCount = 5;

    /// <summary>The best <paramref name="k"/> of <paramref name="pool"/> for one position, best first.</summary>
    public List<Scored> RankPosition(PositionFacts position, IReadOnlyList<(Guid Id, ProfileFacts Facts)> pool, RankingModel model, int k)
    {
        Span<float> features = stackalloc float[MatchFeatures.Count];
        var heap = new PriorityQueue<Scored, double>(k + 1);
        foreach (var (id, profile) in pool)
        {
            facts.Features(profile, position, features);
            var score = model.Score(features);
            if (heap.Count < k)
            {
                heap.Enqueue(new Scored(id, score), score);
            }
            else if (score > heap.Peek().Score)
            {
                heap.EnqueueDequeue(new Scored(id, score), score);
            }
        }

        var best = new List<Scored>(heap.Count);
        while (heap.TryDequeue(out var s, out _))
        {
            best.Add(s);
        }

        best.Reverse();
        return best;
    }

    /// <summary>Scores one profile against each of <paramref name="positions"/>.</summary>
    public Scored[] ScoreProfile(ProfileFacts profile, IReadOnlyList<(Guid Id, PositionFacts Facts)> positions, RankingModel model)
    {
        Span<float> features = stackalloc float[MatchFeatures.Count];
        var scores = new Scored[positions.Count];
        for (var i = 0; i < positions.Count; i++)
        {
            facts.Features(profile, positions[i].Facts, features);
            scores[i] = new Scored(positions[i].Id, model.Score(features));
        }

        return scores;
    }

    /// <summary>The largest contributions to a pair's score (TreeSHAP), as stored JSON for lists.</summary>
    public static string TopContributionsJson(RankingModel model, float[] features) =>
        JsonSerializer.Serialize(Explain(model, features).OrderByDescending(c => Math.Abs(c.Amount)).Take(TopContributionCount), JsonOptions);

    /// <summary>Every feature's value and contribution; they add up, with the model's bias, to the score.</summary>
    public static List<Contribution> Explain(RankingModel model, float[] features)
    {
        var explained = model.Explain(features);
        return explained.FeatureNames.Select((name, i) => new Contribution(name, features[i], Math.Round(explained.Contributions[i], 6))).ToList();
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}
