namespace TalentMatch.Assignment;

/// <summary>A researcher's preferences: the positions they would accept, best first.</summary>
/// <param name="Id">The researcher (profile) id.</param>
/// <param name="Positions">Acceptable position ids, most preferred first; a position not listed is not acceptable.</param>
public sealed record ResearcherPreferences(Guid Id, IReadOnlyList<Guid> Positions);

/// <summary>A position's preferences: the researchers it would take, best first, and how many it can take.</summary>
/// <param name="Id">The position id.</param>
/// <param name="Capacity">Headcount: at most this many researchers are assigned to it (0 takes nobody).</param>
/// <param name="Researchers">Acceptable researcher ids, most preferred first (endorsed candidates ordered by the
/// model's score, possibly reordered by the HR office).</param>
public sealed record PositionPreferences(Guid Id, int Capacity, IReadOnlyList<Guid> Researchers);

/// <summary>
/// A hospitals/residents instance: researchers and positions with their preference lists. A pair is acceptable only
/// when each lists the other; a one-sided listing is allowed and simply never matched.
/// </summary>
public sealed class AssignmentInstance
{
    public AssignmentInstance(IReadOnlyList<ResearcherPreferences> researchers, IReadOnlyList<PositionPreferences> positions)
    {
        Researchers = researchers ?? throw new ArgumentNullException(nameof(researchers));
        Positions = positions ?? throw new ArgumentNullException(nameof(positions));
    }

    public IReadOnlyList<ResearcherPreferences> Researchers { get; }

    public IReadOnlyList<PositionPreferences> Positions { get; }

    /// <summary>Every problem of the instance (empty when it is valid), each naming the item and its place.</summary>
    public IReadOnlyList<AssignmentValidationError> Validate()
    {
        var errors = new List<AssignmentValidationError>();
        CompiledInstance.TryCompile(this, errors);
        return errors;
    }
}
