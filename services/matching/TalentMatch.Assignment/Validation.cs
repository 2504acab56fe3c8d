namespace TalentMatch.Assignment;

/// <summary>What is wrong with an instance.</summary>
public enum AssignmentValidationCode
{
    /// <summary>A researcher, position, or list is missing (null).</summary>
    Missing,
    /// <summary>An id is the empty GUID.</summary>
    EmptyId,
    /// <summary>Two researchers, or two positions, have the same id.</summary>
    DuplicateId,
    /// <summary>A preference list names an id that is not in the instance.</summary>
    UnknownId,
    /// <summary>A preference list names the same id twice.</summary>
    DuplicateInList,
    /// <summary>A position's capacity is negative.</summary>
    NegativeCapacity,
}

/// <summary>One problem of an instance.</summary>
/// <param name="Path">Where it is, e.g. <c>researchers[3].positions[2]</c> or <c>positions[0].capacity</c>.</param>
/// <param name="Code">What kind of problem.</param>
/// <param name="Id">The id concerned, when there is one.</param>
/// <param name="Message">English description.</param>
/// <param name="MessageZh">Simplified Chinese description.</param>
public sealed record AssignmentValidationError(string Path, AssignmentValidationCode Code, Guid? Id, string Message, string MessageZh)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>Thrown when an assignment is asked for an invalid instance; <see cref="Errors"/> lists every problem.</summary>
public sealed class AssignmentValidationException : ArgumentException
{
    public AssignmentValidationException(IReadOnlyList<AssignmentValidationError> errors)
        : base("Invalid assignment instance: " + string.Join("; ", errors.Take(10)) + (errors.Count > 10 ? $"; … ({errors.Count} problems)" : ""))
    {
        Errors = errors;
    }

    public IReadOnlyList<AssignmentValidationError> Errors { get; }
}
