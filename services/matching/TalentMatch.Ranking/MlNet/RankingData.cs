using Microsoft.ML;
using Microsoft.ML.Data;
using TalentMatch.Ranking.Data;

namespace TalentMatch.Ranking.MlNet;

/// <summary>The platform's data sets as ML.NET's ranking shape: Label (float), GroupId (a key after MapValueToKey), Features.</summary>
public static class RankingData
{
    public const string Label = "Label";
    public const string GroupId = "GroupId";
    public const string Features = "Features";

    /// <summary>One row of ML.NET's ranking shape; the group is a plain number until MapValueToKey makes it a key.</summary>
    public sealed class Row
    {
        public float Label { get; set; }
        public uint GroupId { get; set; }
        public float[] Features { get; set; } = [];
    }

    /// <summary>The score column ML.NET's ranking transformers add.</summary>
    public sealed class Prediction
    {
        public float Score { get; set; }
    }

    private sealed class KeyRow
    {
        public uint GroupId { get; set; }
    }

    /// <summary>The schema of <see cref="Row"/> with the feature vector's size fixed.</summary>
    public static SchemaDefinition Schema(int featureCount)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[Features].ColumnType = new VectorDataViewType(NumberDataViewType.Single, featureCount);
        return schema;
    }

    /// <summary>A data set's rows (groups numbered from <paramref name="groupOffset"/>) as an in-memory data view.</summary>
    public static IDataView ToDataView(MLContext ml, RankingDataset data, int groupOffset = 0)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(data);
        var rows = new Row[data.RowCount];
        var bounds = data.GroupBoundaries;
        for (var g = 0; g < data.GroupCount; g++)
            for (var r = bounds[g]; r < bounds[g + 1]; r++)
                rows[r] = new Row { Label = data.Labels[r], GroupId = (uint)(groupOffset + g), Features = data.Row(r).ToArray() };
        return ml.Data.LoadFromEnumerable(rows, Schema(data.FeatureCount));
    }

    /// <summary>Rows of features alone (row-major), for scoring with ML.NET.</summary>
    public static IDataView FeaturesView(MLContext ml, ReadOnlySpan<float> rowMajor, int featureCount)
    {
        var rows = new Row[rowMajor.Length / featureCount];
        for (var r = 0; r < rows.Length; r++)
            rows[r] = new Row { Features = rowMajor.Slice(r * featureCount, featureCount).ToArray() };
        return ml.Data.LoadFromEnumerable(rows, Schema(featureCount));
    }

    /// <summary>Every group number 0..count−1, the key set MapValueToKey is fitted on.</summary>
    internal static IDataView GroupKeys(MLContext ml, int count) =>
        ml.Data.LoadFromEnumerable(Enumerable.Range(0, count).Select(i => new KeyRow { GroupId = (uint)i }).ToArray());

    /// <summary>Rows with a defined group key (what a ranking trainer reads) and their distinct groups.</summary>
    internal static (int Rows, int Groups) CountKeyedRows(IDataView keyed)
    {
        var column = keyed.Schema[GroupId];
        using var cursor = keyed.GetRowCursor([column]);
        var getter = cursor.GetGetter<uint>(column);
        var groups = new HashSet<uint>();
        var rows = 0;
        uint key = 0;
        while (cursor.MoveNext())
        {
            getter(ref key);
            if (key == 0) continue; // missing key: the trainer would skip the row
            rows++;
            groups.Add(key);
        }

        return (rows, groups.Count);
    }

    /// <summary>ML.NET's own scores of <paramref name="data"/> (the Score column, as float).</summary>
    public static float[] Scores(ITransformer model, IDataView data)
    {
        var scored = model.Transform(data);
        return scored.GetColumn<float>("Score").ToArray();
    }
}
