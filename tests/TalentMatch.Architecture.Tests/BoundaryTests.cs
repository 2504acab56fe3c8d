using System.Reflection;
using NetArchTest.Rules;

namespace TalentMatch.Architecture.Tests;

/// <summary>
/// The boundaries DESIGN.md describes, checked on the compiled assemblies: a rule that only lives in a document is
/// broken by the first convenient reference.
/// </summary>
public sealed class BoundaryTests
{
    private static readonly Dictionary<string, Assembly> Services = new()
    {
        ["TalentMatch.Identity"] = typeof(TalentMatch.Identity.IdentityDb).Assembly,
        ["TalentMatch.Profiles"] = typeof(TalentMatch.Profiles.ProfilesDbContext).Assembly,
        ["TalentMatch.Positions"] = typeof(TalentMatch.Positions.PositionsDbContext).Assembly,
        ["TalentMatch.Matching"] = typeof(TalentMatch.Matching.MatchingDbContext).Assembly,
    };

    private static readonly Assembly Contracts = typeof(TalentMatch.Contracts.IIntegrationEvent).Assembly;

    [Fact]
    public void Contracts_depend_on_nothing_but_the_base_library()
    {
        // Consumers of every service reference the contracts: a package here would be forced on all of them.
        var references = Contracts.GetReferencedAssemblies().Select(a => a.Name!).Where(n => n != "netstandard" && !n.StartsWith("System", StringComparison.Ordinal));
        Assert.Empty(references);

        var result = Types.InAssembly(Contracts).ShouldNot().HaveDependencyOnAny(
            "TalentMatch.Hosting", "TalentMatch.Seeds", "MassTransit", "Microsoft", "Npgsql").GetResult();
        Assert.True(result.IsSuccessful, "contract types with outside dependencies: " + string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Fact]
    public void The_assignment_library_depends_on_nothing_but_the_base_library()
    {
        // A pure algorithm the positions service (or any other) can call: no service, hosting, database or package.
        var assignment = typeof(TalentMatch.Assignment.DeferredAcceptance).Assembly;
        var references = assignment.GetReferencedAssemblies().Select(a => a.Name!).Where(n => n != "netstandard" && !n.StartsWith("System", StringComparison.Ordinal));
        Assert.Empty(references);

        var result = Types.InAssembly(assignment).ShouldNot().HaveDependencyOnAny(
            [.. Services.Keys, "TalentMatch.Hosting", "TalentMatch.Contracts", "Microsoft.EntityFrameworkCore", "Microsoft.AspNetCore", "Microsoft.Extensions", "Npgsql", "MassTransit"]).GetResult();
        Assert.True(result.IsSuccessful, "assignment types with outside dependencies: " + string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Theory]
    [InlineData("TalentMatch.Identity")]
    [InlineData("TalentMatch.Profiles")]
    [InlineData("TalentMatch.Positions")]
    [InlineData("TalentMatch.Matching")]
    public void A_service_references_no_other_service(string service)
    {
        var others = Services.Keys.Where(k => k != service).ToArray();
        Assert.Empty(Services[service].GetReferencedAssemblies().Select(a => a.Name!).Intersect(others));

        // The rule can see a dependency where there is one (every service builds on the shared hosting layer).
        Assert.NotEmpty(Types.InAssembly(Services[service]).That().HaveDependencyOn("TalentMatch.Hosting").GetTypes());
        var result = Types.InAssembly(Services[service]).ShouldNot().HaveDependencyOnAny(others).GetResult();
        Assert.True(result.IsSuccessful, $"{service} types that reach into another service: " + string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Fact]
    public void The_shared_hosting_layer_knows_no_service()
    {
        var hosting = typeof(TalentMatch.Hosting.Messaging.Inbox).Assembly;
        var result = Types.InAssembly(hosting).ShouldNot().HaveDependencyOnAny([.. Services.Keys]).GetResult();
        Assert.True(result.IsSuccessful, "hosting types that depend on a service: " + string.Join(", ", result.FailingTypeNames ?? []));
    }
}
