using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using TalentMatch.Testing;

namespace TalentMatch.Identity.Tests;

/// <summary>
/// The identity service in-process. A request's client address is the TCP peer; here a test sets it with the
/// <see cref="PeerHeader"/> header, which a startup filter turns into <c>Connection.RemoteIpAddress</c> before anything
/// else runs (the service itself reads no forwarding header).
/// </summary>
public class IdentityHost : ServiceHost<Program>
{
    public const string PeerHeader = "X-Test-Peer-Address";
    public const string AdminEmail = "admin@identity.test";
    public const string AdminPassword = "identity-admin-password-01";

    /// <summary>The provider's signing keys, in a directory of this host's own (a test may share one between hosts).</summary>
    public virtual string KeysDirectory { get; } = Path.Combine(Path.GetTempPath(), "talentmatch-tests", "keys-" + Guid.NewGuid().ToString("N"));

    protected override string? DefaultToken => null;

    /// <summary>The SMTP server this host's account mails go to.</summary>
    public TestMailbox Mailbox { get; } = new();

    protected override Dictionary<string, string?> Settings()
    {
        var settings = base.Settings();
        settings["Auth:Admin:Email"] = AdminEmail;
        settings["Auth:Admin:Password"] = AdminPassword;
        settings["RateLimit:PermitLimit"] = "100000"; // the per-address rate limit has its own end-to-end test
        foreach (var (key, value) in OidcFlow.IdentitySettings(KeysDirectory))
        {
            settings[key] = value;
        }

        foreach (var (key, value) in Mailbox.IdentitySettings())
        {
            settings[key] = value;
        }

        return settings;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(s => s.AddSingleton<IStartupFilter, PeerAddressFilter>());
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Mailbox.Dispose();
    }

    /// <summary>Signs up (from <paramref name="address"/>) and opens the confirmation link the mail brought.</summary>
    public Task SignUpAndConfirmAsync(string email, string password, string? displayName = null, string address = "10.1.0.1") =>
        OidcFlow.SignUpAndConfirmAsync(From(address), Mailbox, email, password, displayName);

    /// <summary>
    /// An anonymous browser-like client (keeps cookies, does not follow redirects) whose requests come from
    /// <paramref name="address"/>.
    /// </summary>
    public HttpClient From(string address)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }).As(null);
        client.DefaultRequestHeaders.Add(PeerHeader, address);
        return client;
    }

    private sealed class PeerAddressFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((HttpContext context, RequestDelegate nextMiddleware) =>
            {
                if (context.Request.Headers.TryGetValue(PeerHeader, out var address))
                {
                    context.Connection.RemoteIpAddress = IPAddress.Parse(address.ToString());
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
