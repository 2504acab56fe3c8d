namespace TalentMatch.Ranking.Model;

/// <summary>The caller's feature schema differs from the model's. The message lists every difference.</summary>
public sealed class ModelSchemaException : InvalidOperationException
{
    public ModelSchemaException(IReadOnlyList<string> differences)
        : base("Feature schema mismatch between the model and the caller:" + Environment.NewLine + "  - " + string.Join(Environment.NewLine + "  - ", differences))
    {
        Differences = differences;
    }

    /// <summary>Human-readable differences (missing, unexpected, moved features, count).</summary>
    public IReadOnlyList<string> Differences { get; }

    /// <summary>Throws when the two feature schemas differ.</summary>
    public static void ThrowIfDifferent(IReadOnlyList<string> model, IReadOnlyList<string> caller)
    {
        var diffs = Compare(model, caller);
        if (diffs.Count > 0) throw new ModelSchemaException(diffs);
    }

    /// <summary>Returns the differences between the model's and the caller's feature names (empty = same schema).</summary>
    public static List<string> Compare(IReadOnlyList<string> model, IReadOnlyList<string> caller)
    {
        var diffs = new List<string>();
        var modelSet = new HashSet<string>(model, StringComparer.Ordinal);
        var callerSet = new HashSet<string>(caller, StringComparer.Ordinal);
        var missing = model.Where(n => !callerSet.Contains(n)).ToList();
        var extra = caller.Where(n => !modelSet.Contains(n)).ToList();
        if (model.Count != caller.Count)
            diffs.Add($"the model has {model.Count} features, the caller {caller.Count}");
        if (missing.Count > 0) diffs.Add("missing in the caller's features: " + string.Join(", ", missing));
        if (extra.Count > 0) diffs.Add("not known to the model: " + string.Join(", ", extra));
        if (missing.Count == 0 && extra.Count == 0)
        {
            for (int i = 0; i < Math.Min(model.Count, caller.Count); i++)
                if (!string.Equals(model[i], caller[i], StringComparison.Ordinal))
                    diffs.Add($"position {i}: the model expects '{model[i]}', the caller has '{caller[i]}'");
        }
        return diffs;
    }
}
