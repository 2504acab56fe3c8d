namespace TalentMatch.Ranking.Model;

/// <summary>
/// One regression tree in array form. Internal nodes are 0..<see cref="NodeCount"/>−1 (root = 0); a child index
/// c &lt; 0 denotes leaf <c>~c</c>. A row goes left when <c>x[feature] &lt;= threshold</c>; a missing value (NaN)
/// goes right unless the node's <see cref="MissingGoesLeft"/> flag says left (ML.NET's LightGBM trees learn that per
/// split). Thresholds are raw feature values (not bin indices). Covers are training row counts (for TreeSHAP).
/// A tree with no split has a single leaf and <see cref="NodeCount"/> 0.
/// </summary>
public sealed class RegressionTree
{
    internal readonly int[] Feature;
    internal readonly float[] Threshold;
    internal readonly int[] Left;
    internal readonly int[] Right;
    internal readonly double[] Gain;
    internal readonly double[] NodeCover;
    internal readonly double[] Leaf;
    internal readonly double[] LeafCover;
    internal readonly bool[]? MissingLeft; // null: every NaN goes right

    public RegressionTree(int[] splitFeatures, float[] thresholds, int[] leftChildren, int[] rightChildren,
        double[] splitGains, double[] internalCovers, double[] leafValues, double[] leafCovers, bool[]? missingGoesLeft = null)
    {
        Feature = splitFeatures; Threshold = thresholds; Left = leftChildren; Right = rightChildren;
        Gain = splitGains; NodeCover = internalCovers; Leaf = leafValues; LeafCover = leafCovers;
        MissingLeft = missingGoesLeft is not null && Array.IndexOf(missingGoesLeft, true) >= 0 ? missingGoesLeft : null;
        Validate();
    }

    public int NodeCount => Feature.Length;
    public int LeafCount => Leaf.Length;
    public IReadOnlyList<int> SplitFeatures => Feature;
    public IReadOnlyList<float> Thresholds => Threshold;
    public IReadOnlyList<int> LeftChildren => Left;
    public IReadOnlyList<int> RightChildren => Right;
    public IReadOnlyList<double> SplitGains => Gain;
    public IReadOnlyList<double> InternalCovers => NodeCover;
    public IReadOnlyList<double> LeafValues => Leaf;
    public IReadOnlyList<double> LeafCovers => LeafCover;

    /// <summary>Per internal node: whether a missing value (NaN) goes left. Null when every NaN goes right.</summary>
    public IReadOnlyList<bool>? MissingGoesLeft => MissingLeft;

    /// <summary>Whether <paramref name="value"/> takes node <paramref name="node"/>'s left branch.</summary>
    internal bool GoesLeft(int node, float value) =>
        float.IsNaN(value) ? MissingLeft is not null && MissingLeft[node] : value <= Threshold[node];

    /// <summary>Predicts one row (raw features).</summary>
    public double Predict(ReadOnlySpan<float> x)
    {
        if (NodeCount == 0) return Leaf[0];
        int n = 0;
        while (n >= 0) n = GoesLeft(n, x[Feature[n]]) ? Left[n] : Right[n];
        return Leaf[~n];
    }

    /// <summary>Index of the leaf a row falls into.</summary>
    public int LeafIndex(ReadOnlySpan<float> x)
    {
        if (NodeCount == 0) return 0;
        int n = 0;
        while (n >= 0) n = GoesLeft(n, x[Feature[n]]) ? Left[n] : Right[n];
        return ~n;
    }

    /// <summary>Depth of the deepest leaf (a single-leaf tree has depth 0).</summary>
    public int MaxDepth() => NodeCount == 0 ? 0 : Depth(0);

    private int Depth(int child) => child < 0 ? 0 : 1 + Math.Max(Depth(Left[child]), Depth(Right[child]));

    /// <summary>Cover-weighted mean leaf value: the tree's expected output over the training distribution.</summary>
    public double ExpectedValue()
    {
        double total = 0, sum = 0;
        for (int i = 0; i < Leaf.Length; i++) { sum += Leaf[i] * LeafCover[i]; total += LeafCover[i]; }
        return total > 0 ? sum / total : 0;
    }

    internal double Cover(int child) => child < 0 ? LeafCover[~child] : NodeCover[child];

    private void Validate()
    {
        int n = Feature.Length;
        if (Threshold.Length != n || Left.Length != n || Right.Length != n || Gain.Length != n || NodeCover.Length != n)
            throw new InvalidDataException("Tree node arrays have different lengths.");
        if (MissingLeft is not null && MissingLeft.Length != n)
            throw new InvalidDataException("The tree's missing-value directions do not match its node count.");
        if (Leaf.Length != n + 1 || LeafCover.Length != n + 1)
            throw new InvalidDataException($"A tree with {n} splits must have {n + 1} leaves (has {Leaf.Length} values, {LeafCover.Length} covers).");
        var seenNode = new bool[n];
        var seenLeaf = new bool[n + 1];
        for (int i = 0; i < n; i++)
        {
            foreach (var c in (ReadOnlySpan<int>)[Left[i], Right[i]])
            {
                if (c >= 0)
                {
                    if (c >= n || c == 0 || seenNode[c]) throw new InvalidDataException($"Node {i} has an invalid child {c}.");
                    seenNode[c] = true;
                }
                else
                {
                    int l = ~c;
                    if (l > n || seenLeaf[l]) throw new InvalidDataException($"Node {i} has an invalid leaf child {l}.");
                    seenLeaf[l] = true;
                }
            }
            if (Feature[i] < 0) throw new InvalidDataException($"Node {i} has a negative feature index.");
            if (float.IsNaN(Threshold[i])) throw new InvalidDataException($"Node {i} has a NaN threshold.");
        }
        foreach (var v in Leaf) if (!double.IsFinite(v)) throw new InvalidDataException("A leaf value is not finite.");
    }
}
