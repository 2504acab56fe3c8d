using System.Reflection;
using Microsoft.ML.Trainers.FastTree;
using TalentMatch.Ranking.Data;
using TalentMatch.Ranking.Model;
using MlTree = Microsoft.ML.Trainers.FastTree.RegressionTree;

namespace TalentMatch.Ranking.MlNet;

/// <summary>
/// Reads ML.NET's trained ensemble (children, split features, thresholds, leaf values, gains) into the platform's
/// trees. ML.NET sends <c>x &lt;= threshold</c> left, as the platform. Missing values: ML.NET replaces a NaN by the
/// node's default value (LightGBM's learned default direction, or 0 for a split that saw no missing value) unless
/// every default of the tree is 0, when a NaN goes right; that becomes a per-node direction. Covers for TreeSHAP
/// are the rows of <c>coverData</c> (the training set) that reach each node.
/// </summary>
public static class MlNetTreeConverter
{
    // The public tree view has no missing-value defaults; they live on the internal tree it wraps.
    private static readonly FieldInfo? InnerTree = typeof(RegressionTreeBase).GetField("_tree", BindingFlags.NonPublic | BindingFlags.Instance);

    public static RankingModel Convert(TreeEnsemble<MlTree> ensemble, RankingDataset coverData, TrainingMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(ensemble);
        ArgumentNullException.ThrowIfNull(coverData);
        var trees = new List<Model.RegressionTree>(ensemble.Trees.Count);
        for (var i = 0; i < ensemble.Trees.Count; i++)
            trees.Add(Convert(ensemble.Trees[i], ensemble.TreeWeights[i], coverData, coverData.FeatureCount));
        return new RankingModel(coverData.FeatureNames, trees, ensemble.Bias, metadata);
    }

    private static Model.RegressionTree Convert(MlTree tree, double weight, RankingDataset coverData, int featureCount)
    {
        if (tree.NumberOfLeaves <= 1 || tree.NumberOfNodes == 0)
        {
            var value = tree.LeafValues.Count > 0 ? tree.LeafValues[0] * weight : 0;
            return new Model.RegressionTree([], [], [], [], [], [], [value], [coverData.RowCount]);
        }

        var n = tree.NumberOfNodes;
        if (tree.CategoricalSplitFlags.Take(n).Any(c => c))
            throw new NotSupportedException("The ensemble has categorical splits; the platform's trees are numerical only.");
        var features = tree.NumericalSplitFeatureIndexes.Take(n).ToArray();
        if (features.Any(f => f < 0 || f >= featureCount))
            throw new InvalidDataException($"A tree splits on a feature outside 0..{featureCount - 1}.");
        var thresholds = tree.NumericalSplitThresholds.Take(n).ToArray();
        var left = tree.LeftChild.Take(n).ToArray();
        var right = tree.RightChild.Take(n).ToArray();
        var gains = tree.SplitGains.Take(n).ToArray();
        var leaves = tree.LeafValues.Take(n + 1).Select(v => v * weight).ToArray();
        var defaults = DefaultsForMissing(tree);
        var missingLeft = new bool[n];
        if (defaults is not null)
            for (var i = 0; i < n; i++) missingLeft[i] = defaults[i] <= thresholds[i];

        // Covers: the training rows through the same tree (zeros first; the tree validates its shape).
        var shape = new Model.RegressionTree(features, thresholds, left, right, gains, new double[n], leaves, new double[n + 1], missingLeft);
        var nodeCover = new double[n];
        var leafCover = new double[n + 1];
        for (var r = 0; r < coverData.RowCount; r++)
        {
            var x = coverData.Row(r);
            var node = 0;
            while (node >= 0)
            {
                nodeCover[node]++;
                node = shape.GoesLeft(node, x[features[node]]) ? left[node] : right[node];
            }

            leafCover[~node]++;
        }

        return new Model.RegressionTree(features, thresholds, left, right, gains, nodeCover, leaves, leafCover, missingLeft);
    }

    private static float[]? DefaultsForMissing(MlTree tree)
    {
        var inner = InnerTree?.GetValue(tree)
            ?? throw new NotSupportedException("This ML.NET version hides its trees' missing-value defaults; NaN routing cannot be read.");
        const BindingFlags Any = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance;
        var type = inner.GetType();
        if (type.GetField("DefaultValueForMissing", Any) is { } field) return (float[]?)field.GetValue(inner);
        if (type.GetProperty("DefaultValueForMissing", Any) is { } property) return (float[]?)property.GetValue(inner);
        throw new NotSupportedException("This ML.NET version has no DefaultValueForMissing on its trees; NaN routing cannot be read.");
    }
}
