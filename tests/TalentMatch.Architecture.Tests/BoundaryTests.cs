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
            "TalentMatch.Hosting", "TalentMatch.ReferenceData", "TalentMatch.SyntheticData", "MassTransit", "Microsoft", "Npgsql").GetResult();
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

    [Theory]
    [InlineData("TalentMatch.Identity")]
    [InlineData("TalentMatch.Profiles")]
    [InlineData("TalentMatch.Positions")]
    [InlineData("TalentMatch.Matching")]
    public void A_service_ships_no_synthetic_data_and_no_Bogus(string service)
    {
        // Everything the service loads, followed through its references: reference data yes, the generator no.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<AssemblyName>([Services[service].GetName()]);
        while (pending.TryDequeue(out var name))
        {
            if (!seen.Add(name.Name!) || name.Name!.StartsWith("System", StringComparison.Ordinal) || name.Name.StartsWith("Microsoft", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var reference in Assembly.Load(name).GetReferencedAssemblies())
            {
                pending.Enqueue(reference);
            }
        }

        Assert.Contains("TalentMatch.ReferenceData", seen); // the walk reaches what the service does use
        Assert.DoesNotContain("TalentMatch.SyntheticData", seen);
        Assert.DoesNotContain("Bogus", seen);
    }

    [Fact]
    public void Only_tools_and_tests_reference_the_synthetic_data_project()
    {
        // Every project file under services/ and contracts/ (production code); seeds/ holds the demo loader, a tool.
        var root = FindRoot();
        var production = Directory.EnumerateFiles(Path.Combine(root, "services"), "*.csproj", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "contracts"), "*.csproj", SearchOption.AllDirectories))
            .Append(Path.Combine(root, "seeds", "TalentMatch.ReferenceData", "TalentMatch.ReferenceData.csproj"))
            .ToList();
        Assert.True(production.Count >= 10, $"found only {production.Count} production projects");
        var offenders = production.Where(p => File.ReadAllText(p).Contains("TalentMatch.SyntheticData", StringComparison.Ordinal) || File.ReadAllText(p).Contains("\"Bogus\"", StringComparison.Ordinal)).ToList();
        Assert.Empty(offenders);
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TalentMatch.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("TalentMatch.sln not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void The_ranking_library_knows_no_profile_or_position()
    {
        // Learning to rank in general (training, inference, explanations, metrics); the features are matching's.
        var ranking = typeof(TalentMatch.Ranking.Model.RankingModel).Assembly;
        var result = Types.InAssembly(ranking).ShouldNot().HaveDependencyOnAny(
            [.. Services.Keys, "TalentMatch.Hosting", "TalentMatch.Contracts", "TalentMatch.ReferenceData", "TalentMatch.SyntheticData"]).GetResult();
        Assert.True(result.IsSuccessful, "ranking types with platform dependencies: " + string.Join(", ", result.FailingTypeNames ?? []));
        Assert.DoesNotContain(ranking.GetTypes(), t => t.Name.Contains("Profile", StringComparison.Ordinal) || t.Name.Contains("Position", StringComparison.Ordinal));
    }

    [Fact]
    public void The_shared_hosting_layer_knows_no_service()
    {
        var hosting = typeof(TalentMatch.Hosting.Messaging.Inbox).Assembly;
        var result = Types.InAssembly(hosting).ShouldNot().HaveDependencyOnAny([.. Services.Keys]).GetResult();
        Assert.True(result.IsSuccessful, "hosting types that depend on a service: " + string.Join(", ", result.FailingTypeNames ?? []));
    }
}
