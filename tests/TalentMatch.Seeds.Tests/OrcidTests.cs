using TalentMatch.ReferenceData;

namespace TalentMatch.Seeds.Tests;

public class OrcidTests
{
    [Theory]
    [InlineData("0000-0002-1825-0097")]
    [InlineData("0000-0001-5109-3700")]
    [InlineData("0000-0002-1694-233X")]
    [InlineData("https://orcid.org/0000-0002-1825-0097")]
    public void Known_valid_ids_are_valid(string id) => Assert.True(Orcid.IsValid(id));

    [Theory]
    [InlineData("0000-0002-1825-0098")]
    [InlineData("0000-0002-1694-2330")]
    [InlineData("0000-0002-1825-009")]
    [InlineData("000000021825-0097")]
    [InlineData("0000-0002-1825-009x")]
    [InlineData("")]
    [InlineData(null)]
    public void Invalid_ids_are_rejected(string? id) => Assert.False(Orcid.IsValid(id));

    [Fact]
    public void Create_reproduces_the_documented_example()
    {
        Assert.Equal("0000-0002-1825-0097", Orcid.Create(21825009));
        Assert.Equal("0000-0002-1694-233X", Orcid.Create(21694233));
    }

    [Fact]
    public void Created_ids_are_always_valid()
    {
        var r = new Random(1);
        for (var i = 0; i < 10_000; i++)
        {
            var id = Orcid.Create(r.NextInt64(Orcid.MaxBase + 1));
            Assert.True(Orcid.IsValid(id), id);
        }
    }

    [Fact]
    public void Create_rejects_out_of_range_bases()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Orcid.Create(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Orcid.Create(Orcid.MaxBase + 1));
    }
}
