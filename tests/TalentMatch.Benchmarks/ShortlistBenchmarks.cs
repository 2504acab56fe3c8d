using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using TalentMatch.Matching.Learning;
using TalentMatch.Matching.Synthetic;
using TalentMatch.Matching.ReadModel;
using TalentMatch.Matching.Shortlists;
using TalentMatch.Ranking.Data;
using TalentMatch.Matching.Features;
using TalentMatch.Ranking.Model;
using TalentMatch.Ranking.MlNet;
using TalentMatch.ReferenceData;
using TalentMatch.SyntheticData;

namespace TalentMatch.Benchmarks;

/// <summary>Adds the 95th percentile to the summary (the targets are p95).</summary>
public sealed class PercentileConfig : ManualConfig
{
    public PercentileConfig() => AddColumn(StatisticColumn.P95);
}

/// <summary>
/// The matching service's ranking paths, in process on one core, with a 100-tree, 31-leaf model on the 20 match
/// features (targets: a shortlist over 100,000 profiles in ≤ 50 ms p95; a new profile placed into 1,000 open positions'
/// shortlists in ≤ 20 ms p95). The profiles are the seeds' synthetic researchers; candidate generation is the same
/// hard-constraint and shared-field test the service's SQL applies (the SQL query itself is not part of this number).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PercentileConfig))]
public class ShortlistBenchmarks
{
    private const int Profiles = 100_000;
    private const int OpenPositions = 1_000;
    private readonly MatchFacts _facts = new();
    private ShortlistRanker _ranker = null!;
    private RankingModel _model = null!;
    private CandidateProfile[] _profiles = null!;
    private ProfileFacts[] _profileFacts = null!;
    private PositionSnapshot _position = null!;
    private PositionFacts _positionFacts = null!;
    private (Guid Id, PositionSnapshot Snapshot, PositionFacts Facts)[] _positions = null!;
    private CandidateProfile _newcomer = null!;
    private double[] _shortlistFloors = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ranker = new ShortlistRanker(_facts);
        _profiles = new ProfileGenerator(11).Generate(Profiles).Select(SyntheticMapping.Candidate).ToArray();
        _profileFacts = _profiles.Select(_facts.Profile).ToArray();
        var seedPositions = SeedPositions.Load().All;
        _position = SyntheticMapping.Position(seedPositions.First(p => p.ResearchFields.Any(f => f.StartsWith("MED", StringComparison.Ordinal))));
        _positionFacts = _facts.Position(_position);
        _positions = Enumerable.Range(0, OpenPositions).Select(i =>
        {
            var snapshot = SyntheticMapping.Position(seedPositions[i % seedPositions.Length]);
            snapshot.PositionId = Guid.NewGuid();
            return (snapshot.PositionId, snapshot, _facts.Position(snapshot));
        }).ToArray();
        _newcomer = _profiles[42];
        _shortlistFloors = _positions.Select((_, i) => (double)(i % 7) / 10).ToArray();

        // A model of the production size: 100 trees × 31 leaves over the 20 features of real pairs.
        var pairs = _profiles.Take(20_000).Select(p => _facts.Features(p, _position)).ToArray();
        var random = new Random(5);
        var labels = pairs.Select(f => (float)Math.Clamp(Math.Round(2.5 * f[MatchFeatures.FieldProximityMean] + 1.5 * f[MatchFeatures.WeightedSkillCoverage] + random.NextDouble() - 0.5), 0, 4)).ToArray();
        var groups = Enumerable.Range(0, pairs.Length).Select(i => i / 50).ToArray();
        _model = new MlNetRankingTrainer(new RankingTrainerOptions { NumberOfTrees = 100, NumberOfLeaves = 31, MinRowsPerLeaf = 5, Threads = 1 })
            .Train(RankingDataset.FromGroupIds(labels, groups, pairs.SelectMany(f => f).ToArray(), MatchFeatures.Names)).Model;
    }

    /// <summary>Candidate generation + features + model + top 50, over 100,000 profiles whose facts are encoded.</summary>
    [Benchmark(Description = "Shortlist of one position over 100,000 profiles")]
    public int ShortlistOver100kProfiles()
    {
        var pool = new List<(Guid, ProfileFacts)>(Profiles / 4);
        for (var i = 0; i < _profiles.Length; i++)
        {
            if (CandidateConstraints.Satisfied(_profiles[i], _position))
            {
                pool.Add((_profiles[i].ProfileId, _profileFacts[i]));
            }
        }

        return _ranker.RankPosition(_positionFacts, pool, _model, 50).Count;
    }

    /// <summary>A new profile: encoded, checked against 1,000 open positions, scored where eligible, compared with each shortlist's floor.</summary>
    [Benchmark(Description = "New profile placed into 1,000 open positions")]
    public int PlaceNewProfile()
    {
        var facts = _facts.Profile(_newcomer);
        var features = new float[MatchFeatures.Count];
        var entered = 0;
        for (var i = 0; i < _positions.Length; i++)
        {
            var (_, snapshot, positionFacts) = _positions[i];
            if (!CandidateConstraints.Satisfied(_newcomer, snapshot))
            {
                continue;
            }

            _facts.Features(facts, positionFacts, features);
            if (_model.Score(features) > _shortlistFloors[i])
            {
                entered++;
            }
        }

        return entered;
    }
}
