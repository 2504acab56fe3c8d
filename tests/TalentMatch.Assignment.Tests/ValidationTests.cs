namespace TalentMatch.Assignment.Tests;

/// <summary>Invalid instances are refused with every problem named by its place and id, never run.</summary>
public sealed class ValidationTests
{
    private static readonly Guid R0 = Instances.ResearcherId(0), R1 = Instances.ResearcherId(1), Ghost = Instances.ResearcherId(99);
    private static readonly Guid P0 = Instances.PositionId(0), P1 = Instances.PositionId(1), Nowhere = Instances.PositionId(99);

    public static TheoryData<string, AssignmentInstance, string, AssignmentValidationCode, Guid?> Cases => new()
    {
        { "duplicate researcher", new([new(R0, [P0]), new(R0, [])], [new(P0, 1, [R0])]), "researchers[1].id", AssignmentValidationCode.DuplicateId, R0 },
        { "duplicate position", new([new(R0, [P0])], [new(P0, 1, [R0]), new(P0, 2, [])]), "positions[1].id", AssignmentValidationCode.DuplicateId, P0 },
        { "unknown position in a researcher's list", new([new(R0, [P0, Nowhere])], [new(P0, 1, [R0])]), "researchers[0].positions[1]", AssignmentValidationCode.UnknownId, Nowhere },
        { "unknown researcher in a position's list", new([new(R0, [P0])], [new(P0, 1, [Ghost, R0])]), "positions[0].researchers[0]", AssignmentValidationCode.UnknownId, Ghost },
        { "negative capacity", new([new(R0, [P0])], [new(P0, -1, [R0])]), "positions[0].capacity", AssignmentValidationCode.NegativeCapacity, P0 },
        { "position twice in a list", new([new(R0, [P0, P1, P0])], [new(P0, 1, [R0]), new(P1, 1, [])]), "researchers[0].positions[2]", AssignmentValidationCode.DuplicateInList, P0 },
        { "researcher twice in a list", new([new(R0, [P0]), new(R1, [])], [new(P0, 1, [R1, R0, R1])]), "positions[0].researchers[2]", AssignmentValidationCode.DuplicateInList, R1 },
        { "missing list", new([new(R0, null!)], [new(P0, 1, [R0])]), "researchers[0].positions", AssignmentValidationCode.Missing, R0 },
        { "missing researcher", new([null!], [new(P0, 1, [])]), "researchers[0]", AssignmentValidationCode.Missing, null },
        { "empty id", new([new(R0, [])], [new(Guid.Empty, 1, [])]), "positions[0].id", AssignmentValidationCode.EmptyId, Guid.Empty },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void An_invalid_instance_is_refused_naming_the_item(string what, AssignmentInstance instance, string path, AssignmentValidationCode code, Guid? id)
    {
        var error = Assert.Single(instance.Validate());
        Assert.Equal((path, code, id), (error.Path, error.Code, error.Id));
        Assert.False(string.IsNullOrWhiteSpace(error.MessageZh), what);
        if (id is { } named && named != Guid.Empty)
        {
            Assert.Contains(named.ToString(), error.Message);
            Assert.Contains(named.ToString(), error.MessageZh);
        }

        foreach (var run in new Func<AssignmentInstance, AssignmentResult>[] { DeferredAcceptance.ResearcherProposing, DeferredAcceptance.PositionProposing })
        {
            var thrown = Assert.Throws<AssignmentValidationException>(() => run(instance));
            Assert.Equal(error, Assert.Single(thrown.Errors));
            Assert.Contains(path, thrown.Message);
        }
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var instance = new AssignmentInstance(
            [new(R0, [Nowhere, P0, P0]), new(R0, [])],
            [new(P0, -3, [Ghost])]);
        Assert.Equal(
            ["researchers[1].id", "positions[0].capacity", "researchers[0].positions[0]", "researchers[0].positions[2]", "positions[0].researchers[0]"],
            instance.Validate().Select(e => e.Path));
    }

    [Fact]
    public void A_valid_instance_has_no_problems_and_one_sided_or_empty_lists_are_fine()
    {
        var instance = new AssignmentInstance([new(R0, [P0]), new(R1, [])], [new(P0, 0, [R1]), new(P1, 1, [])]);
        Assert.Empty(instance.Validate());
        var assignment = DeferredAcceptance.ResearcherProposing(instance);
        Assert.Empty(assignment.PositionOf);
        Assert.Equal([R0, R1], assignment.Unplaced);
        Assert.Equal(RefusalReason.NotAcceptableToPosition, Assert.Single(Assert.Single(assignment.Explain().Unplaced, u => u.ResearcherId == R0).Positions).Reason);
        Assert.Empty(new AssignmentInstance([], []).Validate());
    }
}
