using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace TalentMatch.Testing;

/// <summary>
/// One service running as a real process (<c>dotnet TalentMatch.X.dll</c>) on a free loopback port, the way it runs
/// in production; its output goes to a log file that failing tests point to. Used by the end-to-end and fault tests.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly string _dll;
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private Process? _process;
    private StreamWriter? _log;

    public ServiceProcess(string name, IReadOnlyDictionary<string, string?> settings)
    {
        Name = name;
        _dll = RepositoryPaths.ServiceAssembly(name);
        _settings = settings;
        Port = FreePort();
        LogPath = Path.Combine(Path.GetTempPath(), "talentmatch-tests", $"{name}-{Port}-{DateTime.UtcNow:HHmmss}.log");
        // Acts as an administrator (a token signed with the tests' key); tests that check roles make their own clients.
        Client = NewClient(TestTokens.Admin());
    }

    /// <summary>A client of this service with the given bearer token (null: anonymous).</summary>
    public HttpClient NewClient(string? token) =>
        new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(30) }.As(token);

    public string Name { get; }
    public int Port { get; }
    public string LogPath { get; }
    public HttpClient Client { get; }
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>CPU time the running process has used so far (zero when it is not running).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            try
            {
                return _process is { HasExited: false } p ? p.TotalProcessorTime : TimeSpan.Zero;
            }
            catch (InvalidOperationException)
            {
                return TimeSpan.Zero; // exited meanwhile
            }
        }
    }

    /// <summary>
    /// Acts as the service's supervisor the way <c>deploy/up.sh</c> does: when the service exits with 75 (its bus
    /// watchdog gave up on a wedged message bus), it is started again.
    /// </summary>
    public bool Supervised { get; init; }

    /// <summary>How often the service asked to be restarted and was (see <see cref="Supervised"/>).</summary>
    public int SelfRestarts => _selfRestarts;

    private volatile bool _stopping;
    private int _selfRestarts;

    /// <summary>Starts the process and waits (bounded) until <c>/health/live</c> answers.</summary>
    public async Task StartAsync(TimeSpan? timeout = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(LogPath)!);
        _log ??= new StreamWriter(LogPath, append: true) { AutoFlush = true }; // one log across restarts
        var info = new ProcessStartInfo("dotnet", [_dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(_dll)!,
        };
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{Port}";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Logging__Console__FormatterName"] = "simple";
        info.Environment["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ";
        foreach (var (key, value) in _settings)
        {
            info.Environment[key.Replace(":", "__")] = value;
        }

        _stopping = false;
        _process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {Name}.");
        _process.EnableRaisingEvents = true;
        _process.Exited += OnExited;
        _process.OutputDataReceived += (_, e) => Write(e.Data);
        _process.ErrorDataReceived += (_, e) => Write(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(120));
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} during start-up; see {LogPath}");
            }

            try
            {
                if ((await Client.GetAsync("/health/live")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{Name} did not answer /health/live in time; see {LogPath}");
    }

    /// <summary>Graceful stop (SIGTERM), as an orchestrator would do it.</summary>
    public async Task StopAsync()
    {
        _stopping = true;
        if (_process is null || _process.HasExited)
        {
            return;
        }

        using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString()]))
        {
            await term.WaitForExitAsync();
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Crash (SIGKILL): nothing is flushed or acknowledged.</summary>
    public async Task KillAsync()
    {
        _stopping = true;
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
        Client.Dispose();
        if (_log is not null)
        {
            await _log.DisposeAsync();
        }
    }

    private void OnExited(object? sender, EventArgs e)
    {
        var process = (Process)sender!;
        if (!Supervised || _stopping || !ReferenceEquals(process, _process) || process.ExitCode != 75)
        {
            return;
        }

        Interlocked.Increment(ref _selfRestarts);
        Write($"supervisor: {Name} exited with 75 (message bus wedged); starting it again");
        _ = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            if (!_stopping && !IsRunning)
            {
                await StartAsync();
            }
        });
    }

    private void Write(string? line)
    {
        if (line is not null)
        {
            lock (this)
            {
                _log?.WriteLine(line);
            }
        }
    }

    /// <summary>
    /// A free port below the kernel's ephemeral range (32768–60999): a service restarted on the same port (fault tests)
    /// must not find it taken by some outgoing connection's local port in the meantime. A port is chosen when the
    /// service is created and bound only when it starts, so ports already handed out in this test run are never
    /// handed out again: otherwise a service created earlier and started later could find its port taken by another
    /// one, whose health endpoint would then answer for it.
    /// </summary>
    private static int FreePort()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = Random.Shared.Next(20_000, 32_000);
            if (!HandedOut.TryAdd(port, 0))
            {
                continue;
            }

            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException) when (attempt < 100)
            {
                // taken; try another
            }
        }
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, byte> HandedOut = new();
}

public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The built service assembly, in the same configuration as the running tests (Debug or Release).</summary>
    public static string ServiceAssembly(string name)
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var path = Path.Combine(Root, "services", name.ToLowerInvariant(), $"TalentMatch.{name}", "bin", configuration, "net10.0", $"TalentMatch.{name}.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build the solution first: {path} is missing.");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TalentMatch.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("TalentMatch.sln not found above " + AppContext.BaseDirectory);
    }
}
