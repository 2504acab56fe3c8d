using BenchmarkDotNet.Attributes;
using TalentMatch.Matching.Features;

namespace TalentMatch.Benchmarks;

/// <summary>Feature extraction for one profile × position pair from pre-encoded facts (target: well under 1 µs).</summary>
[MemoryDiagnoser]
public class FeatureExtractionBenchmarks
{
    private const int Pairs = 1024;
    private ProfileFacts[] _profiles = null!;
    private PositionFacts[] _positions = null!;
    private MatchFeatureExtractor _extractor = null!;
    private float[] _buffer = null!;

    [GlobalSetup]
    public void Setup()
    {
        var enc = new FactsEncoder();
        var rng = new Random(1);
        string[] disciplines = ["MED", "CHEM", "PHY", "BIO", "CS"];
        string Field() => $"{disciplines[rng.Next(5)]}.F{rng.Next(6)}.S{rng.Next(8)}";
        string[] Skills(int n) => Enumerable.Range(0, n).Select(_ => "skill" + rng.Next(300)).ToArray();
        string[] cities = ["Hangzhou", "Shanghai", "Beijing", "Shenzhen", "Nanjing", "Wuhan"];
        _profiles = Enumerable.Range(0, Pairs).Select(_ => new ProfileFacts(
            enc.Fields([Field(), Field(), Field()]), enc.Skills(Skills(15)), (DegreeLevel)rng.Next(4), rng.Next(1, 5), rng.Next(0, 25),
            rng.Next(0, 120), rng.Next(0, 40), rng.Next(0, 6), (TalentTier)rng.Next(4), enc.Cities(cities.Take(rng.Next(0, 3))),
            (EmploymentModes)rng.Next(1, 8), enc.Languages(["en", rng.Next(2) == 0 ? "zh" : "de"]), new DateOnly(2026, 1, 1).AddDays(rng.Next(200)))).ToArray();
        _positions = Enumerable.Range(0, Pairs).Select(_ => new PositionFacts(
            enc.Fields([Field(), Field()]), enc.Skills(Skills(5)), enc.Skills(Skills(5)), (DegreeLevel)rng.Next(4), 1, rng.Next(2, 5),
            rng.Next(0, 10), (TalentTier)rng.Next(4), enc.City(cities[rng.Next(cities.Length)]), (EmploymentModes)(1 << rng.Next(3)),
            enc.Languages(["en"]), new DateOnly(2026, 3, 1), new DateOnly(2026, 5, 1))).ToArray();
        _extractor = new MatchFeatureExtractor(enc, new FieldOutputNorms(
            new Dictionary<string, OutputNorm> { ["MED"] = new(40, 12, 1.5f), ["CS"] = new(25, 10, 1) }, FieldOutputNorms.DefaultNorm));
        _buffer = new float[MatchFeatures.Count];
    }

    [Benchmark(OperationsPerInvoke = Pairs, Description = "Extract features (per pair)")]
    public float Extract()
    {
        var span = _buffer.AsSpan();
        float acc = 0;
        for (int i = 0; i < Pairs; i++)
        {
            _extractor.Extract(_profiles[i], _positions[(i * 7) & (Pairs - 1)], span);
            acc += span[0];
        }
        return acc;
    }
}
