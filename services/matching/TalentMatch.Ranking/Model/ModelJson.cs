using System.Text.Json;
using System.Text.Json.Serialization;
using TalentMatch.Ranking.MlNet;

namespace TalentMatch.Ranking.Model;

/// <summary>What the model was trained with and how it did.</summary>
public sealed record TrainingMetadata
{
    public RankingTrainerOptions Parameters { get; init; } = new();
    /// <summary>Which trainer made the model, e.g. <c>ML.NET LightGBM</c>.</summary>
    public string? Trainer { get; init; }
    /// <summary>The trainer's library versions, e.g. <c>Microsoft.ML.LightGbm 5.0.1, LightGBM 4.6.0</c>.</summary>
    public string? TrainerVersion { get; init; }
    public int Trees { get; init; }
    public int Rows { get; init; }
    public int Groups { get; init; }
    public int Features { get; init; }
    /// <summary>Number of trees kept (1-based best iteration when early stopping ran, else the tree count).</summary>
    public int BestIteration { get; init; }
    /// <summary>Name of the validation metric, e.g. <c>ndcg@10</c>; null without validation data.</summary>
    public string? ValidationMetric { get; init; }
    public double? ValidationScore { get; init; }
    public double TrainSeconds { get; init; }
    public DateTimeOffset CreatedUtc { get; init; }
}

internal sealed class ModelDocument
{
    public string? Format { get; set; }
    public int Version { get; set; }
    public string[]? FeatureNames { get; set; }
    public double BaseScore { get; set; }
    public TrainingMetadata? Metadata { get; set; }
    public TreeDocument[]? Trees { get; set; }
}

internal sealed class TreeDocument
{
    public int[]? SplitFeatures { get; set; }
    public float[]? Thresholds { get; set; }
    public int[]? Left { get; set; }
    public int[]? Right { get; set; }
    public double[]? Gains { get; set; }
    public double[]? Covers { get; set; }
    public double[]? LeafValues { get; set; }
    public double[]? LeafCovers { get; set; }
    public bool[]? MissingLeft { get; set; }
}

internal static class ModelJson
{
    private static readonly JsonSerializerOptions Compact = Create(false);
    private static readonly JsonSerializerOptions Indented = Create(true);

    public static JsonSerializerOptions Options(bool indented) => indented ? Indented : Compact;

    private static JsonSerializerOptions Create(bool indented) => new()
    {
        WriteIndented = indented,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // Thresholds may be ±Infinity in principle; keep them representable.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };
}
