using System.Diagnostics;
using System.Net.Http.Json;
using Xunit;

namespace TalentMatch.Testing;

/// <summary>
/// The whole platform for one test class: profiles, positions and matching as real processes, each on a fresh
/// PostgreSQL database, talking through the real RabbitMQ broker in a virtual host of their own (so every class
/// starts from an empty broker topology, as on a fresh machine). Services are started by the test, so a test can
/// also start them late, stop or kill them.
/// </summary>
public class Platform : IAsyncLifetime
{
    public string VirtualHost { get; } = "tm-" + Guid.NewGuid().ToString("N")[..12];
    public Dictionary<string, string> Databases { get; } = new()
    {
        ["Profiles"] = TestInfrastructure.UniqueDatabaseName("e2e_profiles"),
        ["Positions"] = TestInfrastructure.UniqueDatabaseName("e2e_positions"),
        ["Matching"] = TestInfrastructure.UniqueDatabaseName("e2e_matching"),
        ["Identity"] = TestInfrastructure.UniqueDatabaseName("e2e_identity"),
    };

    public const string AdminEmail = "admin@e2e.test";
    public const string AdminPassword = "e2e-admin-password-0001";

    /// <summary>The identity service (accounts, sign-up, login); the others validate its tokens with the shared key.</summary>
    public ServiceProcess Identity { get; private set; } = null!;

    /// <summary>The SMTP server the identity service sends its account mails to (confirmation, password reset).</summary>
    public TestMailbox Mailbox { get; } = new();

    /// <summary>Sign-up/login attempts per client address and minute the identity service allows in this platform.</summary>
    protected virtual int AuthRateLimit => 1000;

    public ServiceProcess Profiles { get; private set; } = null!;
    public ServiceProcess Positions { get; private set; } = null!;
    public ServiceProcess Matching { get; private set; } = null!;

    /// <summary>
    /// Where the provider's web client runs (its redirect URIs are under it) and its secret. By default an address no
    /// browser reaches, enough for the code flow the tests drive themselves; a platform that runs the real web app
    /// gives its address and secret, so that a browser's sign-in comes back to it.
    /// </summary>
    protected virtual string WebClientBaseUrl => OidcFlow.WebBaseUrl;

    /// <inheritdoc cref="WebClientBaseUrl"/>
    protected virtual string WebClientSecret => OidcFlow.WebClientSecret;

    /// <summary>Whether <see cref="InitializeAsync"/> starts all three services (the default) or leaves it to the test.</summary>
    protected virtual bool StartServicesImmediately => true;

    public async Task InitializeAsync()
    {
        await RabbitMqCtl("add_vhost", VirtualHost);
        await RabbitMqCtl("set_permissions", "-p", VirtualHost, TestInfrastructure.RabbitUser, ".*", ".*", ".*");
        var identity = Settings("Identity");
        identity["Auth:Admin:Email"] = AdminEmail;
        identity["Auth:Admin:Password"] = AdminPassword;
        identity["RateLimit:PermitLimit"] = AuthRateLimit.ToString();
        foreach (var (key, value) in OidcFlow.IdentitySettings(Path.Combine(Path.GetTempPath(), "talentmatch-tests", "keys-" + VirtualHost)))
        {
            identity[key] = value;
        }

        identity["Auth:Clients:Web:BaseUrl"] = WebClientBaseUrl;
        identity["Auth:Clients:Web:Secret"] = WebClientSecret;
        foreach (var (key, value) in Mailbox.IdentitySettings())
        {
            identity[key] = value;
        }

        Identity = new ServiceProcess("Identity", identity);
        Profiles = new ServiceProcess("Profiles", ServiceSettings("Profiles"));
        Positions = new ServiceProcess("Positions", ServiceSettings("Positions"));
        Matching = new ServiceProcess("Matching", ServiceSettings("Matching"));
        if (StartServicesImmediately)
        {
            await Task.WhenAll(Matching.StartAsync(), Profiles.StartAsync(), Positions.StartAsync(), Identity.StartAsync());
        }
    }

    public async Task DisposeAsync()
    {
        await Task.WhenAll(Profiles.DisposeAsync().AsTask(), Positions.DisposeAsync().AsTask(), Matching.DisposeAsync().AsTask(),
            Identity.DisposeAsync().AsTask());
        foreach (var database in Databases.Values)
        {
            await TestInfrastructure.DropDatabaseAsync(database);
        }

        await RabbitMqCtl("delete_vhost", VirtualHost);
        Mailbox.Dispose();
    }

    public string ConnectionString(string service) => TestInfrastructure.ConnectionString(Databases[service]);

    /// <summary>The identity provider's issuer URL, which the other services trust (besides the tests' own key).</summary>
    public string Authority => $"http://127.0.0.1:{Identity.Port}/";

    /// <summary>A browser of the identity provider (cookies kept, redirects not followed), for the sign-in flow.</summary>
    public HttpClient Browser() => OidcFlow.Browser(new Uri(Authority));

    /// <summary>An administrator's token from the provider (the tests' machine client, client credentials).</summary>
    public Task<string> AdminTokenAsync() => OidcFlow.ClientCredentialsAsync(Identity.NewClient(null));

    /// <summary>A researcher who signs up and signs in through the provider: their account id and access token.</summary>
    public async Task<(Guid Id, string Token)> ResearcherAsync(string? email = null, string password = "a-researcher-password-01")
    {
        email ??= $"researcher.{Guid.NewGuid():N}@example.org";
        await SignUpAsync(email, password);
        return await SignInAsync(email, password);
    }

    /// <summary>Signs a researcher up and confirms the address with the link the identity service mailed.</summary>
    public Task SignUpAsync(string email, string password) => OidcFlow.SignUpAndConfirmAsync(Identity.NewClient(null), Mailbox, email, password);

    /// <summary>An HR office or ambassador the administrator creates, signed in through the provider.</summary>
    public Task<(Guid Id, string Token)> StaffAsync(string role, params Guid[] institutions) =>
        StaffAsync(role, $"{role}.{Guid.NewGuid():N}@example.org", institutions);

    /// <summary>The password of the staff accounts <see cref="StaffAsync(string, Guid[])"/> creates.</summary>
    public const string StaffPassword = "a-staff-password-0001";

    /// <summary>An HR office or ambassador with the given address (password <see cref="StaffPassword"/>), signed in through the provider.</summary>
    public async Task<(Guid Id, string Token)> StaffAsync(string role, string email, params Guid[] institutions)
    {
        const string password = StaffPassword;
        var created = await Identity.NewClient(await AdminTokenAsync()).PostAsJsonAsync("/api/accounts",
            new { email, password, role, institutionIds = institutions, displayName = $"Test {role}" });
        if (created.StatusCode != System.Net.HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"creating the {role} answered {(int)created.StatusCode}: {await created.Content.ReadAsStringAsync()}");
        }

        return await SignInAsync(email, password);
    }

    public async Task<(Guid Id, string Token)> SignInAsync(string email, string password)
    {
        var tokens = await OidcFlow.SignInAsync(Browser(), email, password,
            redirectUri: WebClientBaseUrl + "/signin-oidc", clientSecret: WebClientSecret);
        var me = (await Identity.NewClient(tokens.AccessToken).GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>("/api/accounts/me"))!;
        return (Guid.Parse(me["userId"]!.GetValue<string>()), tokens.AccessToken);
    }

    /// <summary>A service's settings: the tests' infrastructure, and trust in the platform's identity provider.</summary>
    private Dictionary<string, string?> ServiceSettings(string service)
    {
        var settings = Settings(service);
        settings["Auth:Authority"] = Authority;
        return settings;
    }

    private Dictionary<string, string?> Settings(string service)
    {
        var settings = TestInfrastructure.ServiceSettings(Databases[service]);
        settings["RabbitMq:VirtualHost"] = VirtualHost;
        Configure(service, settings);
        return settings;
    }

    /// <summary>Settings a platform of a particular test adds to a service's (e.g. where to export telemetry).</summary>
    protected virtual void Configure(string service, Dictionary<string, string?> settings)
    {
    }

    /// <summary>Runs rabbitmqctl against the test broker through the project's own infrastructure script.</summary>
    public static async Task RabbitMqCtl(params string[] args)
    {
        var info = new ProcessStartInfo("bash", [Path.Combine(RepositoryPaths.Root, "deploy", "infra.sh"), "rabbitmqctl", .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The script reads the instance and ports from TM_* variables, which tests/run.sh exports.
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}{await stdout}");
        }
    }
}
