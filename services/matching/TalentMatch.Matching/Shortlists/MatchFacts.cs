using TalentMatch.Matching.ReadModel;
using TalentMatch.Matching.Features;
using Rf = TalentMatch.Matching.Features;

namespace TalentMatch.Matching.Shortlists;

/// <summary>
/// Turns read-model rows into the ranking library's pre-encoded facts and feature vectors. One instance per process:
/// the encoder's ids are only comparable within one encoder.
/// </summary>
public sealed class MatchFacts
{
    private readonly FactsEncoder _encoder = new();
    private readonly MatchFeatureExtractor _extractor;

    public MatchFacts() => _extractor = new MatchFeatureExtractor(_encoder);

    public ProfileFacts Profile(CandidateProfile p) => new(
        _encoder.Fields(p.ResearchFields),
        _encoder.Skills(p.Skills),
        (Rf.DegreeLevel)p.DegreeLevel,
        p.CareerStage,
        (float)p.YearsOfExperience,
        p.PublicationsCount,
        p.HIndex,
        p.GrantsLed,
        (Rf.TalentTier)p.TalentTier,
        _encoder.Cities(p.PreferredCities),
        (Rf.EmploymentModes)p.EmploymentModes,
        _encoder.Languages(p.Languages),
        p.EarliestStartDate);

    public PositionFacts Position(PositionSnapshot p) => new(
        _encoder.Fields(p.ResearchFields),
        _encoder.Skills(p.RequiredSkills),
        _encoder.Skills(p.PreferredSkills),
        (Rf.DegreeLevel)p.MinimumDegree,
        p.CareerStageMin,
        p.CareerStageMax,
        (float)p.MinimumYears,
        (Rf.TalentTier)p.TalentTierSought,
        _encoder.City(p.City),
        (Rf.EmploymentModes)p.EmploymentMode,
        _encoder.Languages(p.Languages),
        p.ApplicationDeadline,
        StartDate: null);

    public void Features(ProfileFacts profile, PositionFacts position, Span<float> destination) =>
        _extractor.Extract(profile, position, destination);

    public float[] Features(CandidateProfile profile, PositionSnapshot position) =>
        _extractor.Extract(Profile(profile), Position(position));
}
