using BenchmarkDotNet.Attributes;
using Microsoft.ML;
using TalentMatch.Ranking.MlNet;
using TalentMatch.Ranking.Model;
using TalentMatch.Ranking.Synthetic;

namespace TalentMatch.Benchmarks;

/// <summary>
/// Scoring throughput of one ML.NET LightGBM model (100 trees, 31 leaves, 32 dense features): the platform's flattened
/// layout against ML.NET's own scoring of the same model (batch Transform over an IDataView, PredictionEngine per row),
/// in the same run. Results are per scored pair (OperationsPerInvoke = rows).
/// </summary>
[MemoryDiagnoser]
public class InferenceBenchmarks
{
    private const int Rows = 10_000;
    private const int Features = 32;
    private RankingModel _model = null!;
    private float[] _features = null!;
    private double[] _scores = null!;
    private ITransformer _mlModel = null!;
    private IDataView _view = null!;
    private PredictionEngine<RankingData.Row, RankingData.Prediction> _engine = null!;
    private RankingData.Row[] _rows = null!;

    [GlobalSetup]
    public void Setup()
    {
        var train = SyntheticRanking.Generate(40_000, Features, 400, 7);
        var trained = new MlNetRankingTrainer(new RankingTrainerOptions { NumberOfTrees = 100, NumberOfLeaves = 31, Threads = 1, MinRowsPerLeaf = 5 }).Train(train);
        _model = trained.Model;
        if (_model.Trees.Count != 100 || _model.Trees.Any(t => t.LeafCount != 31))
            throw new InvalidOperationException("Benchmark model must have 100 trees of 31 leaves.");
        var test = SyntheticRanking.Generate(Rows, Features, 100, 8);
        _features = test.Features;
        _scores = new double[Rows];

        var ml = new MLContext(1);
        using (var zip = new MemoryStream(trained.MlNetModelZip)) _mlModel = ml.Model.Load(zip, out _);
        _view = RankingData.FeaturesView(ml, _features, Features);
        _engine = ml.Model.CreatePredictionEngine<RankingData.Row, RankingData.Prediction>(_mlModel, inputSchemaDefinition: RankingData.Schema(Features));
        _rows = Enumerable.Range(0, Rows).Select(r => new RankingData.Row { Features = _features.AsSpan(r * Features, Features).ToArray() }).ToArray();

        // Same model, same scores: the comparison is of speed only.
        _model.Score(_features, _scores);
        var mlnet = RankingData.Scores(_mlModel, _view);
        for (var r = 0; r < Rows; r++)
            if (Math.Abs(_scores[r] - mlnet[r]) > 1e-5 * Math.Max(1e-6, Math.Abs(mlnet[r])))
                throw new InvalidOperationException($"Row {r}: platform {_scores[r]}, ML.NET {mlnet[r]}.");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Rows, Description = "ML.NET batch Transform (per pair)")]
    public double MlNetBatch()
    {
        var scored = _mlModel.Transform(_view);
        var column = scored.Schema["Score"];
        using var cursor = scored.GetRowCursor([column]);
        var getter = cursor.GetGetter<float>(column);
        float score = 0;
        double sum = 0;
        while (cursor.MoveNext())
        {
            getter(ref score);
            sum += score;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Rows, Description = "ML.NET PredictionEngine (per pair)")]
    public double MlNetPredictionEngine()
    {
        double sum = 0;
        foreach (var row in _rows) sum += _engine.Predict(row).Score;
        return sum;
    }

    [Benchmark(OperationsPerInvoke = Rows, Description = "Platform batch (per pair)")]
    public void ScoreBatch() => _model.Score(_features, _scores);

    [Benchmark(OperationsPerInvoke = Rows, Description = "Platform single row (per pair)")]
    public double ScoreSingle()
    {
        double sum = 0;
        var x = _features.AsSpan();
        for (int r = 0; r < Rows; r++) sum += _model.Score(x.Slice(r * Features, Features));
        return sum;
    }
}
