namespace TalentMatch.Ranking.Data;

/// <summary>
/// A learning-to-rank data set in the shape ML.NET's ranking trainers use (Label, GroupId, Features):
/// graded labels (0–4), one group per query (here: one group = one position, its rows = candidate profiles),
/// and a dense, row-major feature matrix with named features. Rows of a group are consecutive.
/// </summary>
public sealed class RankingDataset
{
    /// <summary>Creates a data set and validates its shape.</summary>
    /// <param name="labels">Graded relevance per row (0–4).</param>
    /// <param name="groupBoundaries">Group start offsets plus the row count at the end (length = groups + 1, first element 0, strictly increasing).</param>
    /// <param name="features">Row-major dense features, <c>rows × featureNames.Count</c> values.</param>
    /// <param name="featureNames">Feature names, in column order.</param>
    public RankingDataset(float[] labels, int[] groupBoundaries, float[] features, IReadOnlyList<string> featureNames)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(groupBoundaries);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(featureNames);
        if (groupBoundaries.Length < 1 || groupBoundaries[0] != 0 || groupBoundaries[^1] != labels.Length)
            throw new ArgumentException($"Group boundaries must start at 0 and end at the row count ({labels.Length}).", nameof(groupBoundaries));
        for (int i = 1; i < groupBoundaries.Length; i++)
            if (groupBoundaries[i] <= groupBoundaries[i - 1])
                throw new ArgumentException($"Group {i - 1} is empty or boundaries are not increasing (at index {i}).", nameof(groupBoundaries));
        if ((long)labels.Length * featureNames.Count != features.Length)
            throw new ArgumentException($"Feature matrix has {features.Length} values, expected {labels.Length} rows × {featureNames.Count} features.", nameof(features));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in featureNames)
            if (string.IsNullOrWhiteSpace(name) || !seen.Add(name))
                throw new ArgumentException($"Feature names must be non-empty and unique ('{name}').", nameof(featureNames));
        foreach (var l in labels)
            if (!(l >= 0f && l <= 31f) || l != MathF.Floor(l))
                throw new ArgumentException($"Labels must be non-negative integers (found {l}).", nameof(labels));

        Labels = labels;
        GroupBoundaries = groupBoundaries;
        Features = features;
        FeatureNames = featureNames.ToArray();
    }

    /// <summary>Graded relevance label per row.</summary>
    public float[] Labels { get; }

    /// <summary>Start row of each group, followed by <see cref="RowCount"/> (length <see cref="GroupCount"/> + 1).</summary>
    public int[] GroupBoundaries { get; }

    /// <summary>Row-major dense features (<see cref="RowCount"/> × <see cref="FeatureCount"/>).</summary>
    public float[] Features { get; }

    /// <summary>Feature names in column order.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    public int RowCount => Labels.Length;
    public int FeatureCount => FeatureNames.Count;
    public int GroupCount => GroupBoundaries.Length - 1;

    /// <summary>The feature vector of one row.</summary>
    public ReadOnlySpan<float> Row(int row) => Features.AsSpan(row * FeatureCount, FeatureCount);

    /// <summary>Group id (0-based group ordinal) per row, as ML.NET's GroupId column.</summary>
    public int[] GroupIds()
    {
        var ids = new int[RowCount];
        for (int g = 0; g < GroupCount; g++)
            ids.AsSpan(GroupBoundaries[g], GroupBoundaries[g + 1] - GroupBoundaries[g]).Fill(g);
        return ids;
    }

    /// <summary>Builds a data set from per-row group ids (rows of one group must be consecutive).</summary>
    public static RankingDataset FromGroupIds(float[] labels, int[] groupIds, float[] features, IReadOnlyList<string> featureNames)
    {
        ArgumentNullException.ThrowIfNull(groupIds);
        if (groupIds.Length != labels.Length)
            throw new ArgumentException("One group id per row is required.", nameof(groupIds));
        var bounds = new List<int> { 0 };
        var closed = new HashSet<int>();
        for (int i = 1; i < groupIds.Length; i++)
        {
            if (groupIds[i] != groupIds[i - 1])
            {
                if (!closed.Add(groupIds[i - 1]) || closed.Contains(groupIds[i]))
                    throw new ArgumentException($"Rows of group {groupIds[i]} are not consecutive (row {i}).", nameof(groupIds));
                bounds.Add(i);
            }
        }
        if (groupIds.Length > 0) bounds.Add(groupIds.Length);
        return new RankingDataset(labels, bounds.ToArray(), features, featureNames);
    }

    /// <summary>
    /// Returns a data set with <paramref name="featureCount"/> columns: extra columns are zero-filled
    /// (absent sparse features), named by <paramref name="namer"/> (default <c>f{index+1}</c>, LETOR's 1-based index).
    /// Dropping a column that has a non-zero value is an error.
    /// </summary>
    public RankingDataset WithFeatureCount(int featureCount, Func<int, string>? namer = null)
    {
        if (featureCount == FeatureCount) return this;
        namer ??= i => "f" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var values = new float[(long)RowCount * featureCount];
        int keep = Math.Min(featureCount, FeatureCount);
        for (int r = 0; r < RowCount; r++)
        {
            var src = Row(r);
            src[..keep].CopyTo(values.AsSpan(r * featureCount, keep));
            for (int f = keep; f < FeatureCount; f++)
                if (src[f] != 0f)
                    throw new InvalidOperationException($"Cannot drop feature '{FeatureNames[f]}': row {r} has value {src[f]}.");
        }
        var names = new string[featureCount];
        for (int f = 0; f < featureCount; f++) names[f] = f < FeatureCount ? FeatureNames[f] : namer(f);
        return new RankingDataset(Labels, GroupBoundaries, values, names);
    }
}
