using TalentMatch.Ranking.Data;
using TalentMatch.Matching.Features;

namespace TalentMatch.Matching.Learning;

/// <summary>One labelled match: the features and baseline score it had when proposed, and its graded label.</summary>
public sealed record LabelledRow(Guid PositionId, float[] Features, double BaselineScore, int Label);

/// <summary>A labelled set cut into training and held-out positions.</summary>
public sealed record TrainTestSplit(RankingDataset Train, RankingDataset HeldOut, double[] HeldOutBaseline, int Labels);

/// <summary>Builds ranking data sets from labelled rows and splits positions deterministically.</summary>
public static class TrainingData
{
    /// <summary>A stable number in [0, 1) for a position id (FNV-1a of its bytes): the same position is always on the same side.</summary>
    public static double HoldOutHash(Guid positionId)
    {
        var hash = 2166136261u;
        Span<byte> bytes = stackalloc byte[16];
        positionId.TryWriteBytes(bytes);
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 16777619u;
        }

        // FNV's low bits mix poorly for the last bytes; finish with a murmur-style avalanche.
        hash ^= hash >> 16;
        hash *= 0x85EBCA6Bu;
        hash ^= hash >> 13;
        hash *= 0xC2B2AE35u;
        hash ^= hash >> 16;
        return hash / 4294967296.0;
    }

    /// <summary>
    /// Positions whose hash is below <paramref name="fraction"/> are held out, so a position stays on its side as more
    /// arrive. A split that by chance holds out fewer than half the expected share (at least one) is topped up with the
    /// next-smallest hashes: judging a model on two or three positions is judging it on noise. If every position is
    /// held out, the one with the largest hash trains, so both sides have at least one.
    /// </summary>
    public static HashSet<Guid> HeldOutPositions(IEnumerable<Guid> positions, double fraction)
    {
        var ordered = positions.Distinct().OrderBy(HoldOutHash).ToList();
        var held = ordered.Where(p => HoldOutHash(p) < fraction).ToHashSet();
        var minimum = Math.Max(1, (int)Math.Ceiling(ordered.Count * fraction / 2));
        for (var i = 0; held.Count < minimum && i < ordered.Count; i++)
        {
            held.Add(ordered[i]);
        }

        if (held.Count == ordered.Count && ordered.Count > 1)
        {
            held.Remove(ordered[^1]);
        }

        return held;
    }

    public static TrainTestSplit Split(IReadOnlyList<LabelledRow> rows, double heldOutFraction)
    {
        var held = HeldOutPositions(rows.Select(r => r.PositionId), heldOutFraction);
        var train = rows.Where(r => !held.Contains(r.PositionId)).ToList();
        var test = rows.Where(r => held.Contains(r.PositionId)).ToList();
        return new TrainTestSplit(Dataset(train), Dataset(test), test.OrderBy(r => r.PositionId).Select(r => r.BaselineScore).ToArray(), rows.Count);
    }

    /// <summary>A data set with one group per position (groups ordered by position id, rows in input order within a group).</summary>
    public static RankingDataset Dataset(IReadOnlyList<LabelledRow> rows)
    {
        var ordered = rows.OrderBy(r => r.PositionId).ToList(); // stable: keeps input order within a position
        var labels = new float[ordered.Count];
        var groups = new int[ordered.Count];
        var features = new float[ordered.Count * MatchFeatures.Count];
        var group = -1;
        for (var i = 0; i < ordered.Count; i++)
        {
            if (i == 0 || ordered[i].PositionId != ordered[i - 1].PositionId)
            {
                group++;
            }

            labels[i] = ordered[i].Label;
            groups[i] = group;
            ordered[i].Features.AsSpan(0, MatchFeatures.Count).CopyTo(features.AsSpan(i * MatchFeatures.Count));
        }

        return RankingDataset.FromGroupIds(labels, groups, features, MatchFeatures.Names);
    }
}
