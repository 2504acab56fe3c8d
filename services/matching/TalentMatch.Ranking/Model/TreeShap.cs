namespace TalentMatch.Ranking.Model;

/// <summary>
/// Path-dependent TreeSHAP (Lundberg, Erion &amp; Lee 2018, Algorithm 2; the same recursion as XGBoost's
/// <c>RegTree::TreeShap</c>). Node covers are training row counts.
/// </summary>
internal static class TreeShap
{
    private struct PathElement
    {
        public int FeatureIndex;
        public double ZeroFraction;
        public double OneFraction;
        public double PWeight;
    }

    /// <summary>Adds the tree's contributions to <paramref name="phi"/> and returns the tree's expected value (its bias term).</summary>
    public static double Contributions(RegressionTree tree, ReadOnlySpan<float> x, Span<double> phi)
    {
        double expected = tree.ExpectedValue();
        if (tree.NodeCount == 0) return expected;
        int maxd = tree.MaxDepth() + 2;
        var path = new PathElement[(maxd * (maxd + 1)) / 2];
        Recurse(tree, x, phi, 0, 0, path, 0, 1.0, 1.0, -1);
        return expected;
    }

    private static void Recurse(RegressionTree tree, ReadOnlySpan<float> x, Span<double> phi, int node, int uniqueDepth,
        PathElement[] pathData, int parentOffset, double parentZeroFraction, double parentOneFraction, int parentFeatureIndex)
    {
        // The unique path of this node is stored after the parent's (which has uniqueDepth elements + 1).
        int offset = parentOffset + uniqueDepth;
        var unique = pathData.AsSpan(offset);
        if (uniqueDepth > 0) pathData.AsSpan(parentOffset, uniqueDepth).CopyTo(unique);
        // Note: the C++ original copies uniqueDepth + 1 elements starting at the parent path; the parent's
        // element [uniqueDepth] is about to be overwritten by ExtendPath, so copying uniqueDepth is equivalent.
        ExtendPath(unique, uniqueDepth, parentZeroFraction, parentOneFraction, parentFeatureIndex);

        if (node < 0)
        {
            double leaf = tree.Leaf[~node];
            for (int i = 1; i <= uniqueDepth; i++)
            {
                double w = UnwoundPathSum(unique, uniqueDepth, i);
                ref var el = ref unique[i];
                phi[el.FeatureIndex] += w * (el.OneFraction - el.ZeroFraction) * leaf;
            }
            return;
        }

        int split = tree.Feature[node];
        float v = x[split];
        int hot = tree.GoesLeft(node, v) ? tree.Left[node] : tree.Right[node];
        int cold = hot == tree.Left[node] ? tree.Right[node] : tree.Left[node];
        double w0 = tree.NodeCover[node];
        double hotZero = tree.Cover(hot) / w0;
        double coldZero = tree.Cover(cold) / w0;
        double incomingZero = 1, incomingOne = 1;

        int pathIndex = 0;
        for (; pathIndex <= uniqueDepth; pathIndex++)
            if (unique[pathIndex].FeatureIndex == split) break;
        if (pathIndex != uniqueDepth + 1)
        {
            incomingZero = unique[pathIndex].ZeroFraction;
            incomingOne = unique[pathIndex].OneFraction;
            UnwindPath(unique, uniqueDepth, pathIndex);
            uniqueDepth -= 1;
        }

        Recurse(tree, x, phi, hot, uniqueDepth + 1, pathData, offset, hotZero * incomingZero, incomingOne, split);
        Recurse(tree, x, phi, cold, uniqueDepth + 1, pathData, offset, coldZero * incomingZero, 0, split);
    }

    private static void ExtendPath(Span<PathElement> p, int uniqueDepth, double zeroFraction, double oneFraction, int featureIndex)
    {
        p[uniqueDepth].FeatureIndex = featureIndex;
        p[uniqueDepth].ZeroFraction = zeroFraction;
        p[uniqueDepth].OneFraction = oneFraction;
        p[uniqueDepth].PWeight = uniqueDepth == 0 ? 1.0 : 0.0;
        for (int i = uniqueDepth - 1; i >= 0; i--)
        {
            p[i + 1].PWeight += oneFraction * p[i].PWeight * (i + 1) / (uniqueDepth + 1.0);
            p[i].PWeight = zeroFraction * p[i].PWeight * (uniqueDepth - i) / (uniqueDepth + 1.0);
        }
    }

    private static void UnwindPath(Span<PathElement> p, int uniqueDepth, int pathIndex)
    {
        double one = p[pathIndex].OneFraction;
        double zero = p[pathIndex].ZeroFraction;
        double nextOnePortion = p[uniqueDepth].PWeight;
        for (int i = uniqueDepth - 1; i >= 0; i--)
        {
            if (one != 0)
            {
                double tmp = p[i].PWeight;
                p[i].PWeight = nextOnePortion * (uniqueDepth + 1) / ((i + 1) * one);
                nextOnePortion = tmp - p[i].PWeight * zero * (uniqueDepth - i) / (uniqueDepth + 1.0);
            }
            else
            {
                p[i].PWeight = p[i].PWeight * (uniqueDepth + 1) / (zero * (uniqueDepth - i));
            }
        }
        for (int i = pathIndex; i < uniqueDepth; i++)
        {
            p[i].FeatureIndex = p[i + 1].FeatureIndex;
            p[i].ZeroFraction = p[i + 1].ZeroFraction;
            p[i].OneFraction = p[i + 1].OneFraction;
        }
    }

    private static double UnwoundPathSum(Span<PathElement> p, int uniqueDepth, int pathIndex)
    {
        double one = p[pathIndex].OneFraction;
        double zero = p[pathIndex].ZeroFraction;
        double nextOnePortion = p[uniqueDepth].PWeight;
        double total = 0;
        for (int i = uniqueDepth - 1; i >= 0; i--)
        {
            if (one != 0)
            {
                double tmp = nextOnePortion * (uniqueDepth + 1) / ((i + 1) * one);
                total += tmp;
                nextOnePortion = p[i].PWeight - tmp * zero * ((uniqueDepth - i) / (uniqueDepth + 1.0));
            }
            else if (zero != 0)
            {
                total += p[i].PWeight / zero / ((uniqueDepth - i) / (uniqueDepth + 1.0));
            }
        }
        return total;
    }
}
