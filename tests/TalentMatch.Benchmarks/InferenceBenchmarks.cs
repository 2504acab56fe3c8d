using BenchmarkDotNet.Attributes;
using TalentMatch.Ranking.Model;
using TalentMatch.Ranking.Synthetic;
using TalentMatch.Ranking.Training;

namespace TalentMatch.Benchmarks;

/// <summary>
/// Scoring throughput of a 100-tree, 31-leaf model on 32 dense features (target: ≥ 1,000,000 pairs/s per core).
/// Results are per scored pair (OperationsPerInvoke = rows).
/// </summary>
[MemoryDiagnoser]
public class InferenceBenchmarks
{
    private const int Rows = 10_000;
    private RankingModel _model = null!;
    private float[] _features = null!;
    private double[] _scores = null!;

    [GlobalSetup]
    public void Setup()
    {
        var train = SyntheticRanking.Generate(40_000, 32, 400, 7);
        _model = new LambdaMartTrainer(new LambdaMartOptions { NumberOfTrees = 100, NumberOfLeaves = 31, Threads = 1, MinRowsPerLeaf = 5 }).Train(train);
        if (_model.Trees.Count != 100 || _model.Trees.Any(t => t.LeafCount != 31))
            throw new InvalidOperationException("Benchmark model must have 100 trees of 31 leaves.");
        var test = SyntheticRanking.Generate(Rows, 32, 100, 8);
        _features = test.Features;
        _scores = new double[Rows];
    }

    [Benchmark(OperationsPerInvoke = Rows, Description = "Score batch (per pair)")]
    public void ScoreBatch() => _model.Score(_features, _scores);

    [Benchmark(OperationsPerInvoke = Rows, Description = "Score single row (per pair)")]
    public double ScoreSingle()
    {
        double sum = 0;
        var x = _features.AsSpan();
        for (int r = 0; r < Rows; r++) sum += _model.Score(x.Slice(r * 32, 32));
        return sum;
    }
}
