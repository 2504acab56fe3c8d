using TalentMatch.ReferenceData;
using TalentMatch.SyntheticData;
using Xunit.Abstractions;

namespace TalentMatch.Seeds.Tests;

public sealed class SyntheticHistoryTests(ITestOutputHelper output)
{
    private static readonly SeedPosition ImmunologyPi = SeedPositions.Load().All.First(p => p.ResearchFields.Contains("MED.IMMUNO.AUTO"));

    private static SyntheticProfile Fitting(SeedPosition position) => new ProfileGenerator(7).Generate(500).First() with
    {
        ResearchFields = [position.ResearchFields[0]],
        Skills = [.. position.RequiredSkills, .. position.PreferredSkills],
        HighestDegree = DegreeLevel.Doctorate,
        CareerStage = position.CareerStageMax,
        YearsOfExperience = position.MinimumYears + 6,
        PublicationsCount = 120,
        TalentTier = TalentTier.National,
        PreferredCities = [position.City],
        EmploymentModes = position.EmploymentMode,
        Languages = ["zh", "en"],
        EarliestStartDate = position.ApplicationDeadline.AddDays(-30),
    };

    [Fact]
    public void A_candidate_fitting_every_criterion_has_a_high_utility_and_each_near_hard_factor_cuts_it()
    {
        var fit = Fitting(ImmunologyPi);
        var u = SyntheticHistory.Utility(fit, ImmunologyPi);
        Assert.True(u > 0.9, $"u = {u}");

        Assert.Equal(0, SyntheticHistory.Utility(fit with { ResearchFields = ["ENG.MAT.NANO"] }, ImmunologyPi));
        Assert.True(SyntheticHistory.Utility(fit with { PreferredCities = ["Beijing"] }, ImmunologyPi) < 0.45 * u);
        Assert.True(SyntheticHistory.Utility(fit with { EmploymentModes = ImmunologyPi.EmploymentMode == EmploymentModes.FullTime ? EmploymentModes.Visiting : EmploymentModes.FullTime }, ImmunologyPi) < 0.2 * u);
        Assert.True(SyntheticHistory.Utility(fit with { Languages = ["en"] }, ImmunologyPi) < 0.6 * u);
        Assert.True(SyntheticHistory.Utility(fit with { PreferredCities = [] }, ImmunologyPi) == u, "no stated preference means any city");
    }

    [Fact]
    public void The_utility_has_interactions_a_weighted_sum_cannot_express()
    {
        var fit = Fitting(ImmunologyPi);
        var offField = fit with { ResearchFields = ["ENG.MAT.NANO"] };
        var noSkills = fit with { Skills = [] };
        // Skills matter inside the field and not at all outside it (field proximity gates everything).
        var insideGain = SyntheticHistory.Utility(fit, ImmunologyPi) - SyntheticHistory.Utility(noSkills, ImmunologyPi);
        var outsideGain = SyntheticHistory.Utility(offField, ImmunologyPi) - SyntheticHistory.Utility(offField with { Skills = [] }, ImmunologyPi);
        Assert.True(insideGain > 0.2);
        Assert.Equal(0, outsideGain);

        // Experience saturates: the step below the minimum is worth far more than the same step well above it.
        var min = ImmunologyPi.MinimumYears;
        double U(double years) => SyntheticHistory.Utility(fit with { YearsOfExperience = years }, ImmunologyPi);
        Assert.True(U(min) - U(min - 4) > 3 * (U(min + 20) - U(min + 16)));
    }

    [Fact]
    public void Grades_are_monotone_in_the_utility_and_cover_0_to_4()
    {
        Assert.Equal(0, SyntheticHistory.Grade(0));
        Assert.Equal(4, SyntheticHistory.Grade(1));
        var previous = 0;
        for (var u = 0.0; u <= 1.2; u += 0.01)
        {
            var g = SyntheticHistory.Grade(u);
            Assert.InRange(g, previous, 4);
            previous = g;
        }
    }

    [Fact]
    public void Labels_of_a_pair_are_deterministic_and_noise_moves_them_only_near_a_threshold()
    {
        var profile = new ProfileGenerator(3).Generate(1).Single();
        var position = SeedPositions.Load().All[0];
        Assert.Equal(SyntheticHistory.Label(profile, position, seed: 5), SyntheticHistory.Label(profile, position, seed: 5));

        var random = new Random(1);
        var labels = Enumerable.Range(0, 2000).Select(_ => SyntheticHistory.Label(0.5, random)).ToList();
        Assert.All(labels, l => Assert.InRange(l, 1, 4));
        Assert.Contains(2, labels);
        Assert.Contains(4, labels);
        Assert.True(labels.Count(l => l == 3) > labels.Count / 2, "mostly the grade of the noiseless utility");
    }

    [Fact]
    public void Generated_history_is_deterministic_grouped_by_position_and_has_every_grade()
    {
        var profiles = new ProfileGenerator(11).Generate(3000).ToList();
        var positions = SeedPositions.Load().All;
        var a = SyntheticHistory.Generate(profiles, positions);
        var b = SyntheticHistory.Generate(profiles, positions);

        Assert.Equal(a.Select(d => (d.Position.Id, d.Profile.Id, d.Label)), b.Select(d => (d.Position.Id, d.Profile.Id, d.Label)));
        Assert.Equal(positions.Select(p => p.Id), a.Select(d => d.Position.Id).Distinct());
        var histogram = Enumerable.Range(0, 5).Select(l => a.Count(d => d.Label == l)).ToArray();
        output.WriteLine($"{a.Count} decisions, labels 0..4: {string.Join(" / ", histogram)}");
        foreach (var group in a.GroupBy(d => d.Position.Id))
        {
            Assert.Equal(group.Count(), group.Select(d => d.Profile.Id).Distinct().Count());
            Assert.Equal(75, group.Count());
        }
        Assert.All(histogram, count => Assert.True(count >= a.Count / 50, $"every grade present: {string.Join(" / ", histogram)}"));
        // Most candidates of a discipline pool are not a fit; the positives are the minority.
        Assert.True(histogram[0] > histogram[4]);
    }
}
