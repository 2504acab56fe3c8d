using System.Globalization;

namespace TalentMatch.Ranking.Data;

/// <summary>
/// Reads LETOR / svmlight ranking files: <c>label [qid:Q] idx:value idx:value ... [# comment]</c>,
/// 1-based feature indices, absent features = 0. Groups come from a <c>.query</c> file (one line per group:
/// number of consecutive rows) or, if none is given, from consecutive <c>qid:</c> values.
/// </summary>
public static class LetorLoader
{
    /// <summary>Maximum label accepted (LETOR grades are 0–4; a few data sets go higher).</summary>
    public const int MaxLabel = 31;

    /// <summary>Loads <paramref name="path"/> and, if it exists, <c>path + ".query"</c>.</summary>
    /// <param name="minFeatureCount">The data set gets at least this many columns (use the training set's count for test files).</param>
    public static RankingDataset LoadFile(string path, int minFeatureCount = 0)
    {
        using var data = new StreamReader(path);
        var queryPath = path + ".query";
        if (File.Exists(queryPath))
        {
            using var query = new StreamReader(queryPath);
            return Load(data, path, query, queryPath, minFeatureCount);
        }
        return Load(data, path, null, null, minFeatureCount);
    }

    /// <summary>Loads a LETOR data set from readers.</summary>
    /// <param name="data">The svmlight rows.</param>
    /// <param name="dataName">Name used in error messages (e.g. the file path).</param>
    /// <param name="query">Optional group-size reader (<c>.query</c> format); if null, <c>qid:</c> is required.</param>
    /// <param name="queryName">Name of the query source for error messages.</param>
    /// <param name="minFeatureCount">Minimum number of columns.</param>
    public static RankingDataset Load(TextReader data, string dataName, TextReader? query = null, string? queryName = null, int minFeatureCount = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        dataName ??= "<data>";
        var labels = new List<float>();
        var qids = new List<long>();
        var rowLines = new List<int>();
        bool anyQid = false, allQid = true;
        // Sparse entries: per row, start offset into (idx, value) lists.
        var rowStart = new List<int>();
        var idxs = new List<int>();
        var vals = new List<float>();
        int maxIndex = 0;
        int lineNo = 0;
        string? line;
        while ((line = data.ReadLine()) != null)
        {
            lineNo++;
            var span = line.AsSpan();
            int hash = span.IndexOf('#');
            if (hash >= 0) span = span[..hash];
            span = span.Trim();
            if (span.IsEmpty) continue;

            int pos = 0;
            var tok = NextToken(span, ref pos);
            if (!float.TryParse(tok, NumberStyles.Float, CultureInfo.InvariantCulture, out float label) || !float.IsFinite(label))
                throw new LetorFormatException(dataName, lineNo, $"label '{tok.ToString()}' is not a number");
            if (label < 0 || label > MaxLabel || label != MathF.Floor(label))
                throw new LetorFormatException(dataName, lineNo, $"label {tok.ToString()} is not an integer grade in 0..{MaxLabel}");
            labels.Add(label);
            rowLines.Add(lineNo);
            rowStart.Add(idxs.Count);
            long qid = long.MinValue;
            int lastIndex = 0;
            while (true)
            {
                tok = NextToken(span, ref pos);
                if (tok.IsEmpty) break;
                int colon = tok.IndexOf(':');
                if (colon <= 0 || colon == tok.Length - 1)
                    throw new LetorFormatException(dataName, lineNo, $"expected 'index:value' but found '{tok.ToString()}'");
                var key = tok[..colon];
                var valueText = tok[(colon + 1)..];
                if (key.SequenceEqual("qid"))
                {
                    if (idxs.Count != rowStart[^1] || qid != long.MinValue)
                        throw new LetorFormatException(dataName, lineNo, "'qid:' must come once, right after the label");
                    if (!long.TryParse(valueText, NumberStyles.Integer, CultureInfo.InvariantCulture, out qid))
                        throw new LetorFormatException(dataName, lineNo, $"query id '{valueText.ToString()}' is not an integer");
                    continue;
                }
                if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out int index) || index < 1)
                    throw new LetorFormatException(dataName, lineNo, $"feature index '{key.ToString()}' is not a positive integer (indices are 1-based)");
                if (index <= lastIndex)
                    throw new LetorFormatException(dataName, lineNo, $"feature index {index} is not greater than the previous index {lastIndex}");
                if (!float.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
                    throw new LetorFormatException(dataName, lineNo, $"value '{valueText.ToString()}' of feature {index} is not a number");
                lastIndex = index;
                if (index > maxIndex) maxIndex = index;
                if (value != 0f)
                {
                    idxs.Add(index - 1);
                    vals.Add(value);
                }
            }
            if (qid != long.MinValue) anyQid = true; else allQid = false;
            qids.Add(qid);
        }
        if (labels.Count == 0)
            throw new LetorFormatException(dataName, lineNo, "no data rows");
        rowStart.Add(idxs.Count);

        int[] bounds;
        if (query != null)
        {
            bounds = ReadQueryFile(query, queryName ?? "<query>", labels.Count);
        }
        else
        {
            if (!anyQid || !allQid)
                throw new LetorFormatException(dataName, 0, anyQid
                    ? "some rows have 'qid:' and some do not; group information is incomplete"
                    : "no group information: give a .query file or 'qid:' on every row");
            var b = new List<int> { 0 };
            var closed = new HashSet<long>();
            for (int i = 1; i < qids.Count; i++)
            {
                if (qids[i] != qids[i - 1])
                {
                    closed.Add(qids[i - 1]);
                    if (closed.Contains(qids[i]))
                        throw new LetorFormatException(dataName, rowLines[i], $"rows of qid {qids[i]} are not consecutive");
                    b.Add(i);
                }
            }
            b.Add(qids.Count);
            bounds = b.ToArray();
        }

        int featureCount = Math.Max(maxIndex, minFeatureCount);
        var features = new float[(long)labels.Count * featureCount];
        for (int r = 0; r < labels.Count; r++)
        {
            int off = r * featureCount;
            for (int e = rowStart[r]; e < rowStart[r + 1]; e++)
                features[off + idxs[e]] = vals[e];
        }
        var names = new string[featureCount];
        for (int f = 0; f < featureCount; f++) names[f] = "f" + (f + 1).ToString(CultureInfo.InvariantCulture);
        return new RankingDataset(labels.ToArray(), bounds, features, names);
    }

    private static int[] ReadQueryFile(TextReader query, string name, int rowCount)
    {
        var bounds = new List<int> { 0 };
        long total = 0;
        int lineNo = 0;
        string? line;
        while ((line = query.ReadLine()) != null)
        {
            lineNo++;
            var span = line.AsSpan().Trim();
            if (span.IsEmpty) continue;
            if (!int.TryParse(span, NumberStyles.None, CultureInfo.InvariantCulture, out int size) || size <= 0)
                throw new LetorFormatException(name, lineNo, $"group size '{span.ToString()}' is not a positive integer");
            total += size;
            if (total > rowCount)
                throw new LetorFormatException(name, lineNo, $"group sizes add up to {total}, more than the {rowCount} data rows");
            bounds.Add((int)total);
        }
        if (total != rowCount)
            throw new LetorFormatException(name, lineNo, $"group sizes add up to {total} but the data has {rowCount} rows");
        return bounds.ToArray();
    }

    private static ReadOnlySpan<char> NextToken(ReadOnlySpan<char> s, ref int pos)
    {
        while (pos < s.Length && char.IsWhiteSpace(s[pos])) pos++;
        int start = pos;
        while (pos < s.Length && !char.IsWhiteSpace(s[pos])) pos++;
        return s[start..pos];
    }

    /// <summary>Writes a data set in LETOR format (zeros omitted) and its group sizes (<c>.query</c> format).</summary>
    public static void Write(RankingDataset data, TextWriter rows, TextWriter groups)
    {
        var ci = CultureInfo.InvariantCulture;
        int fc = data.FeatureCount;
        var sb = new System.Text.StringBuilder(256);
        for (int r = 0; r < data.RowCount; r++)
        {
            sb.Clear();
            sb.Append(((int)data.Labels[r]).ToString(ci));
            var row = data.Row(r);
            for (int f = 0; f < fc; f++)
            {
                if (row[f] == 0f) continue;
                sb.Append(' ').Append((f + 1).ToString(ci)).Append(':').Append(row[f].ToString("R", ci));
            }
            rows.WriteLine(sb.ToString());
        }
        for (int g = 0; g < data.GroupCount; g++)
            groups.WriteLine((data.GroupBoundaries[g + 1] - data.GroupBoundaries[g]).ToString(ci));
    }
}
