namespace TalentMatch.Matching.Learning;

public enum ModelStatus { Champion = 0, Rejected = 1, Retired = 2 }

/// <summary>
/// A trained ranking model in the registry, with how it was trained and how it did on held-out positions.
/// Exactly one row is the champion; the shortlist worker ranks with it.
/// </summary>
public sealed class RegisteredModel
{
    public int Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary><c>cold-start</c> (synthetic history) or <c>retrained</c> (ambassadors' labels).</summary>
    public required string Kind { get; set; }

    public ModelStatus Status { get; set; }

    /// <summary>The serialised <c>RankingModel</c> (JSON, with its feature schema).</summary>
    public required string ModelJson { get; set; }

    /// <summary>Which trainer made the model (<c>ML.NET LightGBM</c>; models from before ML.NET: <c>TalentMatch LambdaMART</c>).</summary>
    public required string Trainer { get; set; }

    /// <summary>The trainer's library versions, e.g. <c>Microsoft.ML.LightGbm 5.0.1, LightGBM 4.6.0</c>.</summary>
    public required string TrainerVersion { get; set; }

    /// <summary>ML.NET's own model zip of the same trees (open with <c>MLContext.Model.Load</c>); null before ML.NET.</summary>
    public byte[]? MlNetModel { get; set; }

    public int TrainingRows { get; set; }
    public int TrainingGroups { get; set; }
    public int Labels { get; set; }
    public double TrainSeconds { get; set; }
    public int HeldOutGroups { get; set; }
    public double HeldOutNdcgAt10 { get; set; }
    public double? ChampionNdcgAt10 { get; set; }
    public double? BaselineNdcgAt10 { get; set; }
    public DateTimeOffset? PromotedAt { get; set; }
    public string? Notes { get; set; }
}
