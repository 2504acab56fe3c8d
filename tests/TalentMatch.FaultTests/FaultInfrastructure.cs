using System.Diagnostics;
using Npgsql;
using TalentMatch.Testing;

namespace TalentMatch.FaultTests;

/// <summary>
/// PostgreSQL + RabbitMQ instances that belong to the fault tests alone, started with the project's own
/// <c>deploy/infra.sh</c>: instance "faults" (PostgreSQL for profiles and positions, and the broker) and instance
/// "faults-mdb" (a second PostgreSQL server holding only matching's database). Killing the broker or stopping
/// matching's PostgreSQL with <c>pg_ctl stop -m immediate</c> therefore hits exactly what the test means to hit and
/// nothing of the other test projects that CI runs in parallel on the shared "test" instance.
/// Ports: TM_FAULT_PG_PORT (25369), TM_FAULT_MATCHING_PG_PORT (25379), TM_FAULT_RABBIT_PORT (25712, uses +1..+9); below the kernel's ephemeral range (32768-60999), so an outgoing connection can never hold a port a restarted server needs.
/// </summary>
public sealed class FaultInfrastructure : IAsyncLifetime
{
    public InfraInstance Main { get; } = new(Env("TM_FAULT_INSTANCE", "faults"), int.Parse(Env("TM_FAULT_PG_PORT", "25369")), int.Parse(Env("TM_FAULT_RABBIT_PORT", "25712")));
    public InfraInstance MatchingDb { get; } = new(Env("TM_FAULT_INSTANCE", "faults") + "-mdb", int.Parse(Env("TM_FAULT_MATCHING_PG_PORT", "25379")), int.Parse(Env("TM_FAULT_RABBIT_PORT", "25712")) + 20);

    public async Task InitializeAsync()
    {
        await Task.WhenAll(Main.StartFreshAsync("all"), MatchingDb.StartFreshAsync("postgres"));
    }

    public async Task DisposeAsync()
    {
        await Task.WhenAll(Main.DestroyAsync(), MatchingDb.DestroyAsync());
    }

    private static string Env(string name, string fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : fallback;
}

/// <summary>One <c>deploy/infra.sh</c> instance, driven with its own TM_* variables.</summary>
public sealed class InfraInstance(string name, int pgPort, int rabbitPort)
{
    public string Name { get; } = name;
    public int PgPort { get; } = pgPort;
    public int RabbitPort { get; } = rabbitPort;
    /// <summary>Where infra.sh keeps this instance's data (in the checkout, or under /var/lib when its users cannot reach it).</summary>
    public string Directory => _directory ??= AskDirectory();

    private string? _directory;

    private string AskDirectory()
    {
        var info = new ProcessStartInfo("bash", [Path.Combine(RepositoryPaths.Root, "deploy", "infra.sh"), "dir"]) { RedirectStandardOutput = true };
        info.Environment["TM_INSTANCE"] = Name;
        info.Environment["TM_PG_PORT"] = PgPort.ToString();
        info.Environment["TM_RABBIT_PORT"] = RabbitPort.ToString();
        info.Environment.Remove("TM_INFRA_DIR");
        using var process = Process.Start(info)!;
        var dir = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return dir.Length > 0 ? dir : Path.Combine(RepositoryPaths.Root, "deploy", ".local", Name);
    }

    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = PgPort,
        Username = "postgres",
        Password = "postgres",
        Database = database,
        MaxPoolSize = 30,
        Timeout = 15,
    }.ConnectionString;

    public async Task StartFreshAsync(string what)
    {
        await InfraAsync(["stop"], check: false);
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }

        await InfraAsync(["start", what]);
    }

    public async Task DestroyAsync()
    {
        await InfraAsync(["stop"], check: false);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    public Task KillBrokerAsync() => InfraAsync(["kill", "rabbitmq"]);

    public Task StartBrokerAsync() => InfraAsync(["start", "rabbitmq"]);

    public Task StartPostgresAsync() => InfraAsync(["start", "postgres"]);

    /// <summary><c>pg_ctl stop -m immediate</c>: every backend is killed, no checkpoint; crash recovery on restart.</summary>
    public Task StopPostgresImmediatelyAsync() => RunAsync("runuser",
        ["-u", "postgres", "--", "/usr/lib/postgresql/15/bin/pg_ctl", "-D", Path.Combine(Directory, "postgres", "data"), "-m", "immediate", "-w", "stop"],
        check: true);

    public Task RabbitMqCtlAsync(params string[] args) => InfraAsync(["rabbitmqctl", .. args]);

    /// <summary>A fresh virtual host (<paramref name="prefix"/> plus a random suffix) that the guest user may use fully.</summary>
    public async Task<string> AddVirtualHostAsync(string prefix)
    {
        var vhost = prefix + "-" + Guid.NewGuid().ToString("N")[..10];
        await RabbitMqCtlAsync("add_vhost", vhost);
        await RabbitMqCtlAsync("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*");
        return vhost;
    }

    public async Task DeleteVirtualHostAsync(string vhost)
    {
        try
        {
            await RabbitMqCtlAsync("delete_vhost", vhost);
        }
        catch (InvalidOperationException)
        {
            // broker already gone at the end of a failed run; the instance is destroyed anyway
        }
    }

    public async Task<string> RabbitMqCtlOutputAsync(params string[] args) => await InfraAsync(["rabbitmqctl", .. args]);

    private Task<string> InfraAsync(string[] args, bool check = true) =>
        RunAsync("bash", [Path.Combine(RepositoryPaths.Root, "deploy", "infra.sh"), .. args], check);

    private async Task<string> RunAsync(string file, string[] args, bool check)
    {
        var info = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["TM_INSTANCE"] = Name;
        info.Environment["TM_PG_PORT"] = PgPort.ToString();
        info.Environment["TM_RABBIT_PORT"] = RabbitPort.ToString();
        foreach (var key in new[] { "TM_INFRA_DIR", "TM_RABBIT_DIST_PORT", "TM_RABBIT_EPMD_PORT", "TM_RABBIT_CLI_PORT" })
        {
            info.Environment.Remove(key);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} [{Name}] failed ({process.ExitCode}): {await stderr}{await stdout}");
        }

        return await stdout;
    }
}

[CollectionDefinition(Name)]
public sealed class FaultCollection : ICollectionFixture<FaultInfrastructure>
{
    public const string Name = "Fault injection (own PostgreSQL and RabbitMQ)";
}
