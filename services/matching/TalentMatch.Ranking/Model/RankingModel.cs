using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Json;
using TalentMatch.Ranking.Data;

namespace TalentMatch.Ranking.Model;

/// <summary>Global importance of one feature: total split gain and number of splits over all trees.</summary>
public sealed record FeatureImportance(string Feature, double Gain, int Splits);

/// <summary>
/// Per-prediction explanation: <c>Bias + Σ Contributions == Score</c> (TreeSHAP, path-dependent).
/// </summary>
public sealed record FeatureContributions(IReadOnlyList<string> FeatureNames, double[] Contributions, double Bias, double Score);

/// <summary>
/// A trained ranking model (LambdaMART, trained by ML.NET): an additive ensemble of regression trees plus its feature
/// schema and training metadata. Immutable and thread-safe for scoring. Scores are comparable within a group (position) only.
/// </summary>
public sealed class RankingModel
{
    /// <summary>Current serialisation format version.</summary>
    public const int FormatVersion = 2; // 2: per-node missing-value directions (missingLeft)

    /// <summary>Format tag in the JSON document.</summary>
    public const string FormatName = "talentmatch.lambdamart";

    /// <summary>
    /// Flattened node: internal nodes and leaves live in one array. A leaf has Threshold = +∞ and both children
    /// pointing to itself, so every row can take exactly <c>depth(tree)</c> branch-free steps.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Node
    {
        public int FeatureOffset; // feature index * sizeof(float)
        public float Threshold;
        public int Left;          // byte offset of the child node (x <= threshold)
        public int Right;         // byte offset of the child node (x > threshold or NaN)
    }

    private const int NodeSize = 16; // sizeof(Node); values are 8 bytes, so a value's byte offset is nodeOffset / 2

    private readonly string[] _featureNames;
    private readonly RegressionTree[] _trees;
    private readonly Node[] _nodes;
    private readonly double[] _values; // per flattened node: leaf value (0 for internal nodes)
    private readonly int[] _roots;
    private readonly int[] _depths;
    private readonly int[] _minLeafDepths;
    private readonly int[] _leafStarts; // first flattened leaf node of each tree (leaves follow internal nodes)
    private readonly bool _missingLeft; // some split sends NaN left: rows with a NaN take the tree-by-tree path

    public RankingModel(IReadOnlyList<string> featureNames, IReadOnlyList<RegressionTree> trees, double baseScore, TrainingMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(featureNames);
        ArgumentNullException.ThrowIfNull(trees);
        _featureNames = featureNames.ToArray();
        _trees = trees.ToArray();
        BaseScore = baseScore;
        Metadata = metadata ?? throw new ArgumentNullException(nameof(metadata));
        foreach (var t in _trees)
            foreach (var f in t.Feature)
                if (f >= _featureNames.Length)
                    throw new InvalidDataException($"A tree splits on feature index {f} but the model has {_featureNames.Length} features.");

        // Flatten all trees into one node array (internal nodes then leaves, per tree).
        int total = 0;
        foreach (var t in _trees) total += t.NodeCount + t.LeafCount;
        _nodes = new Node[total];
        _values = new double[total];
        _roots = new int[_trees.Length];
        _depths = new int[_trees.Length];
        _minLeafDepths = new int[_trees.Length];
        _leafStarts = new int[_trees.Length];
        int pos = 0;
        for (int ti = 0; ti < _trees.Length; ti++)
        {
            var t = _trees[ti];
            int nodeBase = pos, leafBase = pos + t.NodeCount;
            int Map(int c) => checked((c >= 0 ? nodeBase + c : leafBase + ~c) * NodeSize);
            for (int i = 0; i < t.NodeCount; i++)
                _nodes[nodeBase + i] = new Node { FeatureOffset = t.Feature[i] * sizeof(float), Threshold = t.Threshold[i], Left = Map(t.Left[i]), Right = Map(t.Right[i]) };
            for (int l = 0; l < t.LeafCount; l++)
            {
                int self = leafBase + l;
                _nodes[self] = new Node { FeatureOffset = 0, Threshold = float.PositiveInfinity, Left = self * NodeSize, Right = self * NodeSize };
                _values[self] = t.Leaf[l];
            }
            _roots[ti] = (t.NodeCount == 0 ? leafBase : nodeBase) * NodeSize;
            _depths[ti] = t.MaxDepth();
            _minLeafDepths[ti] = t.NodeCount == 0 ? 0 : MinLeafDepth(t, 0);
            _leafStarts[ti] = leafBase * NodeSize;
            pos += t.NodeCount + t.LeafCount;
            _missingLeft |= t.MissingLeft is not null;
        }
    }

    private static int MinLeafDepth(RegressionTree t, int child) =>
        child < 0 ? 0 : 1 + Math.Min(MinLeafDepth(t, t.Left[child]), MinLeafDepth(t, t.Right[child]));

    public IReadOnlyList<string> FeatureNames => _featureNames;
    public int FeatureCount => _featureNames.Length;
    public IReadOnlyList<RegressionTree> Trees => _trees;
    public double BaseScore { get; }
    public TrainingMetadata Metadata { get; }

    /// <summary>Throws <see cref="ModelSchemaException"/> if <paramref name="featureNames"/> differ from the model's schema.</summary>
    public void EnsureSchema(IReadOnlyList<string> featureNames)
    {
        var diffs = ModelSchemaException.Compare(_featureNames, featureNames);
        if (diffs.Count > 0) throw new ModelSchemaException(diffs);
    }

    /// <summary>Scores one row of raw features (length = <see cref="FeatureCount"/>, schema order).</summary>
    public double Score(ReadOnlySpan<float> features)
    {
        if (features.Length != _featureNames.Length)
            throw new ArgumentException($"Expected {_featureNames.Length} features, got {features.Length}.", nameof(features));
        if (_missingLeft && HasNaN(features)) return ScoreByTree(features);
        return ScoreUnchecked(ref MemoryMarshal.GetReference(features));
    }

    private static bool HasNaN(ReadOnlySpan<float> x)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + Vector256<float>.Count <= x.Length; i += Vector256<float>.Count)
            {
                var v = Vector256.Create(x.Slice(i, Vector256<float>.Count));
                if (!Vector256.EqualsAll(v, v)) return true;
            }
        }
        for (; i < x.Length; i++) if (float.IsNaN(x[i])) return true;
        return false;
    }

    /// <summary>The reference path (each tree's own walk, per-node NaN directions), summed in the fast paths' order.</summary>
    private double ScoreByTree(ReadOnlySpan<float> x)
    {
        double s = BaseScore;
        foreach (var t in _trees) s += t.Predict(x);
        return s;
    }

    /// <summary>Scores many rows: <paramref name="rowMajor"/> holds <c>scores.Length × FeatureCount</c> values.</summary>
    public void Score(ReadOnlySpan<float> rowMajor, Span<double> scores)
    {
        int f = _featureNames.Length;
        if ((long)scores.Length * f != rowMajor.Length)
            throw new ArgumentException($"Expected {scores.Length} rows × {f} features = {(long)scores.Length * f} values, got {rowMajor.Length}.");
        ScoreBatch(rowMajor, scores);
    }

    /// <summary>Scores every row of a data set after checking its feature schema.</summary>
    public double[] Score(RankingDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        EnsureSchema(data.FeatureNames);
        var scores = new double[data.RowCount];
        ScoreBatch(data.Features, scores);
        return scores;
    }

    /// <summary>One branch-free step from the node at byte offset <paramref name="n"/>: returns the child's byte offset.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Step(ref Node nodes, int n, ref float x)
    {
        ref Node nd = ref Unsafe.As<byte, Node>(ref Unsafe.AddByteOffset(ref Unsafe.As<Node, byte>(ref nodes), (nuint)(uint)n));
        float v = Unsafe.As<byte, float>(ref Unsafe.AddByteOffset(ref Unsafe.As<float, byte>(ref x), (nuint)(uint)nd.FeatureOffset));
        bool right = !(v <= nd.Threshold); // NaN goes right; leaves loop on themselves
        return Unsafe.Add(ref nd.Left, Unsafe.BitCast<bool, byte>(right));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Value(ref double values, int n) =>
        Unsafe.As<byte, double>(ref Unsafe.AddByteOffset(ref Unsafe.As<double, byte>(ref values), (nuint)((uint)n >> 1)));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double ScoreUnchecked(ref float x)
    {
        ref Node nodes = ref MemoryMarshal.GetArrayDataReference(_nodes);
        ref double values = ref MemoryMarshal.GetArrayDataReference(_values);
        var roots = _roots;
        var depths = _depths;
        double s = BaseScore;
        int t = 0;
        // One row, eight trees at a time: independent chains hide the load latency of each step.
        for (; t + 8 <= roots.Length; t += 8)
        {
            int n0 = roots[t], n1 = roots[t + 1], n2 = roots[t + 2], n3 = roots[t + 3];
            int n4 = roots[t + 4], n5 = roots[t + 5], n6 = roots[t + 6], n7 = roots[t + 7];
            int depth = Math.Max(Math.Max(Math.Max(depths[t], depths[t + 1]), Math.Max(depths[t + 2], depths[t + 3])),
                                 Math.Max(Math.Max(depths[t + 4], depths[t + 5]), Math.Max(depths[t + 6], depths[t + 7])));
            for (int d = 0; d < depth; d++)
            {
                n0 = Step(ref nodes, n0, ref x); n1 = Step(ref nodes, n1, ref x);
                n2 = Step(ref nodes, n2, ref x); n3 = Step(ref nodes, n3, ref x);
                n4 = Step(ref nodes, n4, ref x); n5 = Step(ref nodes, n5, ref x);
                n6 = Step(ref nodes, n6, ref x); n7 = Step(ref nodes, n7, ref x);
            }
            // Same summation order as the batch path, so single and batch scores are bit-identical.
            s += Value(ref values, n0); s += Value(ref values, n1); s += Value(ref values, n2); s += Value(ref values, n3);
            s += Value(ref values, n4); s += Value(ref values, n5); s += Value(ref values, n6); s += Value(ref values, n7);
        }
        for (; t < roots.Length; t++)
        {
            int n = roots[t];
            for (int d = depths[t]; d > 0; d--) n = Step(ref nodes, n, ref x);
            s += Value(ref values, n);
        }
        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ScoreBatch(ReadOnlySpan<float> rowMajor, Span<double> scores)
    {
        int fc = _featureNames.Length;
        int rows = scores.Length;
        ref Node nodes = ref MemoryMarshal.GetArrayDataReference(_nodes);
        ref double values = ref MemoryMarshal.GetArrayDataReference(_values);
        ref float x0 = ref MemoryMarshal.GetReference(rowMajor);
        var roots = _roots;
        var depths = _depths;
        var minLeafDepths = _minLeafDepths;
        var leafStarts = _leafStarts;
        const int Block = 8;
        int r = 0;
        // Eight independent, branch-free traversals per tree keep the CPU busy while each waits on its loads.
        for (; r + Block <= rows; r += Block)
        {
            ref float xa = ref Unsafe.Add(ref x0, r * fc);
            ref float xb = ref Unsafe.Add(ref xa, fc);
            ref float xc = ref Unsafe.Add(ref xb, fc);
            ref float xd = ref Unsafe.Add(ref xc, fc);
            ref float xe = ref Unsafe.Add(ref xd, fc);
            ref float xf = ref Unsafe.Add(ref xe, fc);
            ref float xg = ref Unsafe.Add(ref xf, fc);
            ref float xh = ref Unsafe.Add(ref xg, fc);
            double sa = BaseScore, sb = BaseScore, sc = BaseScore, sd = BaseScore;
            double se = BaseScore, sf = BaseScore, sg = BaseScore, sh = BaseScore;
            for (int t = 0; t < roots.Length; t++)
            {
                int root = roots[t];
                int na = root, nb = root, nc = root, nd = root, ne = root, nf = root, ng = root, nh = root;
                int maxDepth = depths[t], minDepth = minLeafDepths[t], leafStart = leafStarts[t];
                for (int d = 0; d < maxDepth; d++)
                {
                    // Past the shallowest leaf, stop as soon as all eight rows sit on leaves.
                    if (d >= minDepth && ((na - leafStart) | (nb - leafStart) | (nc - leafStart) | (nd - leafStart)
                        | (ne - leafStart) | (nf - leafStart) | (ng - leafStart) | (nh - leafStart)) >= 0) break;
                    na = Step(ref nodes, na, ref xa);
                    nb = Step(ref nodes, nb, ref xb);
                    nc = Step(ref nodes, nc, ref xc);
                    nd = Step(ref nodes, nd, ref xd);
                    ne = Step(ref nodes, ne, ref xe);
                    nf = Step(ref nodes, nf, ref xf);
                    ng = Step(ref nodes, ng, ref xg);
                    nh = Step(ref nodes, nh, ref xh);
                }
                sa += Value(ref values, na); sb += Value(ref values, nb);
                sc += Value(ref values, nc); sd += Value(ref values, nd);
                se += Value(ref values, ne); sf += Value(ref values, nf);
                sg += Value(ref values, ng); sh += Value(ref values, nh);
            }
            scores[r] = sa; scores[r + 1] = sb; scores[r + 2] = sc; scores[r + 3] = sd;
            scores[r + 4] = se; scores[r + 5] = sf; scores[r + 6] = sg; scores[r + 7] = sh;
            if (_missingLeft && HasNaN(rowMajor.Slice(r * fc, Block * fc)))
                for (int i = r; i < r + Block; i++)
                    if (HasNaN(rowMajor.Slice(i * fc, fc))) scores[i] = ScoreByTree(rowMajor.Slice(i * fc, fc));
        }
        for (; r < rows; r++)
            scores[r] = _missingLeft && HasNaN(rowMajor.Slice(r * fc, fc))
                ? ScoreByTree(rowMajor.Slice(r * fc, fc))
                : ScoreUnchecked(ref Unsafe.Add(ref x0, r * fc));
    }

    /// <summary>
    /// Explains one prediction with TreeSHAP (Lundberg et al., path-dependent, as XGBoost's <c>pred_contribs</c>):
    /// per-feature contributions plus a bias (the expected score) that add up to the score.
    /// </summary>
    public FeatureContributions Explain(ReadOnlySpan<float> features)
    {
        if (features.Length != _featureNames.Length)
            throw new ArgumentException($"Expected {_featureNames.Length} features, got {features.Length}.", nameof(features));
        var phi = new double[_featureNames.Length];
        double bias = BaseScore;
        foreach (var t in _trees) bias += TreeShap.Contributions(t, features, phi);
        double score = Score(features);
        return new FeatureContributions(_featureNames, phi, bias, score);
    }

    /// <summary>Global importance (total gain and split count) of every feature, by descending gain.</summary>
    public IReadOnlyList<FeatureImportance> Importance()
    {
        var gain = new double[_featureNames.Length];
        var splits = new int[_featureNames.Length];
        foreach (var t in _trees)
            for (int i = 0; i < t.NodeCount; i++) { gain[t.Feature[i]] += t.Gain[i]; splits[t.Feature[i]]++; }
        return Enumerable.Range(0, _featureNames.Length)
            .Select(i => new FeatureImportance(_featureNames[i], gain[i], splits[i]))
            .OrderByDescending(x => x.Gain).ThenByDescending(x => x.Splits).ThenBy(x => x.Feature, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>A model with only the first <paramref name="treeCount"/> trees.</summary>
    public RankingModel Truncate(int treeCount)
    {
        if (treeCount < 0 || treeCount > _trees.Length) throw new ArgumentOutOfRangeException(nameof(treeCount));
        return new RankingModel(_featureNames, _trees.Take(treeCount).ToArray(), BaseScore, Metadata with { Trees = treeCount });
    }

    /// <summary>The same trees with other training metadata.</summary>
    public RankingModel WithMetadata(TrainingMetadata metadata) => new(_featureNames, _trees, BaseScore, metadata);

    // ---------------------------------------------------------------- serialisation

    /// <summary>Writes the model as JSON (UTF-8).</summary>
    public void Save(Stream stream, bool indented = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        JsonSerializer.Serialize(stream, ToDocument(), ModelJson.Options(indented));
    }

    /// <summary>The model as a JSON string.</summary>
    public string ToJson(bool indented = false) => JsonSerializer.Serialize(ToDocument(), ModelJson.Options(indented));

    /// <summary>Loads a model; if <paramref name="expectedFeatureNames"/> is given, a different schema is an error.</summary>
    public static RankingModel Load(Stream stream, IReadOnlyList<string>? expectedFeatureNames = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ModelDocument? doc;
        try { doc = JsonSerializer.Deserialize<ModelDocument>(stream, ModelJson.Options(false)); }
        catch (JsonException e) { throw new InvalidDataException("The model file is not valid JSON: " + e.Message, e); }
        return FromDocument(doc, expectedFeatureNames);
    }

    /// <summary>Loads a model from a JSON string.</summary>
    public static RankingModel FromJson(string json, IReadOnlyList<string>? expectedFeatureNames = null)
    {
        ModelDocument? doc;
        try { doc = JsonSerializer.Deserialize<ModelDocument>(json, ModelJson.Options(false)); }
        catch (JsonException e) { throw new InvalidDataException("The model is not valid JSON: " + e.Message, e); }
        return FromDocument(doc, expectedFeatureNames);
    }

    private ModelDocument ToDocument() => new()
    {
        Format = FormatName,
        Version = FormatVersion,
        FeatureNames = _featureNames,
        BaseScore = BaseScore,
        Metadata = Metadata,
        Trees = _trees.Select(t => new TreeDocument
        {
            SplitFeatures = t.Feature, Thresholds = t.Threshold, Left = t.Left, Right = t.Right,
            Gains = t.Gain, Covers = t.NodeCover, LeafValues = t.Leaf, LeafCovers = t.LeafCover, MissingLeft = t.MissingLeft,
        }).ToArray(),
    };

    private static RankingModel FromDocument(ModelDocument? doc, IReadOnlyList<string>? expected)
    {
        if (doc is null) throw new InvalidDataException("The model document is empty.");
        if (doc.Format != FormatName) throw new InvalidDataException($"Not a {FormatName} model (format '{doc.Format}').");
        if (doc.Version < 1 || doc.Version > FormatVersion)
            throw new InvalidDataException($"Unsupported model version {doc.Version}; this library reads versions 1..{FormatVersion}.");
        if (doc.FeatureNames is null || doc.Trees is null || doc.Metadata is null)
            throw new InvalidDataException("The model document lacks featureNames, trees or metadata.");
        if (expected != null)
        {
            var diffs = ModelSchemaException.Compare(doc.FeatureNames, expected);
            if (diffs.Count > 0) throw new ModelSchemaException(diffs);
        }
        var trees = new RegressionTree[doc.Trees.Length];
        for (int i = 0; i < trees.Length; i++)
        {
            var t = doc.Trees[i] ?? throw new InvalidDataException($"Tree {i} is null.");
            try
            {
                trees[i] = new RegressionTree(t.SplitFeatures ?? [], t.Thresholds ?? [], t.Left ?? [], t.Right ?? [],
                    t.Gains ?? [], t.Covers ?? [], t.LeafValues ?? [], t.LeafCovers ?? [], t.MissingLeft);
            }
            catch (InvalidDataException e) { throw new InvalidDataException($"Tree {i}: {e.Message}", e); }
        }
        return new RankingModel(doc.FeatureNames, trees, doc.BaseScore, doc.Metadata);
    }
}
