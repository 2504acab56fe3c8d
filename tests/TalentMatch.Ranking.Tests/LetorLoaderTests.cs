using TalentMatch.Ranking.Data;

namespace TalentMatch.Ranking.Tests;

public class LetorLoaderTests
{
    [Fact]
    public void Parses_rows_groups_comments_and_qid()
    {
        var text = "# header comment\n2 qid:1 1:0.5 3:1.5 # doc a\n0 qid:1 2:-1\n\n1 qid:7 3:2e-1\n";
        var ds = LetorLoader.Load(new StringReader(text), "mem");
        Assert.Equal(3, ds.RowCount);
        Assert.Equal(3, ds.FeatureCount);
        Assert.Equal(new[] { 0, 2, 3 }, ds.GroupBoundaries);
        Assert.Equal(new float[] { 2, 0, 1 }, ds.Labels);
        Assert.Equal(new float[] { 0.5f, 0, 1.5f }, ds.Row(0).ToArray());
        Assert.Equal(new float[] { 0, -1, 0 }, ds.Row(1).ToArray());
        Assert.Equal(0.2f, ds.Row(2)[2]);
        Assert.Equal(new[] { "f1", "f2", "f3" }, ds.FeatureNames);
        Assert.Equal(new[] { 0, 0, 1 }, ds.GroupIds());
    }

    [Fact]
    public void Query_file_defines_groups()
    {
        var ds = LetorLoader.Load(new StringReader("1 1:1\n0 1:2\n3 2:1\n"), "d", new StringReader("2\n1\n"), "d.query", minFeatureCount: 5);
        Assert.Equal(new[] { 0, 2, 3 }, ds.GroupBoundaries);
        Assert.Equal(5, ds.FeatureCount);
    }

    [Theory]
    [InlineData("1 1:0.5\nx 2:1\n", 2, "label 'x' is not a number")]
    [InlineData("1 1:0.5\n1 2:abc\n", 2, "value 'abc' of feature 2 is not a number")]
    [InlineData("1 1:0.5\n1 0:1\n", 2, "feature index '0' is not a positive integer")]
    [InlineData("1 1:0.5\n\n1 3:1 2:1\n", 3, "feature index 2 is not greater than the previous index 3")]
    [InlineData("1 1:0.5\n1 2\n", 2, "expected 'index:value' but found '2'")]
    [InlineData("7.5 1:0.5\n", 1, "not an integer grade")]
    public void Malformed_rows_name_file_and_line(string text, int line, string problem)
    {
        var ex = Assert.Throws<LetorFormatException>(() => LetorLoader.Load(new StringReader(text), "train.txt", new StringReader("1\n1\n"), "train.txt.query"));
        Assert.Equal("train.txt", ex.Source);
        Assert.Equal(line, ex.LineNumber);
        Assert.Contains(problem, ex.Message);
        Assert.StartsWith($"train.txt:{line}:", ex.Message);
    }

    [Fact]
    public void Bad_query_file_is_reported_with_its_line()
    {
        var ex = Assert.Throws<LetorFormatException>(() =>
            LetorLoader.Load(new StringReader("1 1:1\n0 1:2\n"), "d", new StringReader("1\nfoo\n"), "d.query"));
        Assert.Equal("d.query", ex.Source);
        Assert.Equal(2, ex.LineNumber);

        var sum = Assert.Throws<LetorFormatException>(() =>
            LetorLoader.Load(new StringReader("1 1:1\n0 1:2\n"), "d", new StringReader("1\n"), "d.query"));
        Assert.Contains("add up to 1 but the data has 2 rows", sum.Message);
    }

    [Fact]
    public void Missing_group_information_is_an_error()
    {
        var ex = Assert.Throws<LetorFormatException>(() => LetorLoader.Load(new StringReader("1 1:1\n"), "d"));
        Assert.Contains("no group information", ex.Message);
        var split = Assert.Throws<LetorFormatException>(() => LetorLoader.Load(new StringReader("1 qid:1 1:1\n1 qid:2 1:1\n1 qid:1 1:1\n"), "d"));
        Assert.Equal(3, split.LineNumber);
    }

    [Fact]
    public void Write_then_load_round_trips()
    {
        var ds = Synthetic.SyntheticRanking.Generate(300, 8, 10, 3);
        var rows = new StringWriter();
        var groups = new StringWriter();
        LetorLoader.Write(ds, rows, groups);
        var back = LetorLoader.Load(new StringReader(rows.ToString()), "r", new StringReader(groups.ToString()), "q", minFeatureCount: 8);
        Assert.Equal(ds.Labels, back.Labels);
        Assert.Equal(ds.GroupBoundaries, back.GroupBoundaries);
        Assert.Equal(ds.Features, back.Features);
    }
}

public class RankingDatasetTests
{
    [Fact]
    public void Group_ids_become_boundaries_and_must_be_consecutive()
    {
        var ds = RankingDataset.FromGroupIds([1, 0, 2], [7, 7, 3], [1, 2, 3], ["a"]);
        Assert.Equal(new[] { 0, 2, 3 }, ds.GroupBoundaries);
        Assert.Equal(new[] { 0, 0, 1 }, ds.GroupIds());
        Assert.Throws<ArgumentException>(() => RankingDataset.FromGroupIds([1, 0, 2], [7, 3, 7], [1, 2, 3], ["a"]));
    }

    [Fact]
    public void Shape_is_validated()
    {
        Assert.Throws<ArgumentException>(() => new RankingDataset([1, 0], [0, 2], [1, 2, 3], ["a"]));          // 3 values for 2 rows
        Assert.Throws<ArgumentException>(() => new RankingDataset([1, 0], [0, 1], [1, 2], ["a"]));             // boundaries end early
        Assert.Throws<ArgumentException>(() => new RankingDataset([1, 0], [0, 2], [1, 2, 3, 4], ["a", "a"])); // duplicate names
        Assert.Throws<ArgumentException>(() => new RankingDataset([1.5f, 0], [0, 2], [1, 2], ["a"]));          // non-integer label
    }
}
