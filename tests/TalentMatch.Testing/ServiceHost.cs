using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace TalentMatch.Testing;

/// <summary>
/// A service under test in-process, on its own fresh PostgreSQL database (created by the service's migrations at
/// start-up, dropped afterwards). Messages go through MassTransit's in-memory transport: service tests check what a
/// service stores and publishes; the end-to-end tests check the real broker.
/// </summary>
public class ServiceHost<TProgram> : WebApplicationFactory<TProgram>, IAsyncLifetime where TProgram : class
{
    public string DatabaseName { get; } = TestInfrastructure.UniqueDatabaseName(typeof(TProgram).Assembly.GetName().Name!.Split('.').Last().ToLowerInvariant());

    protected virtual Dictionary<string, string?> Settings()
    {
        var settings = TestInfrastructure.ServiceSettings(DatabaseName);
        settings["Messaging:Transport"] = "InMemory";
        return settings;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        // UseSetting (not ConfigureAppConfiguration) so that Program sees the values while it registers services.
        foreach (var (key, value) in Settings())
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>Clients act as an administrator unless a test gives them another token (<see cref="TestTokens.As"/>).</summary>
    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.As(DefaultToken);
    }

    /// <summary>The token clients send by default (the identity service, which trusts only its own tokens, sends none).</summary>
    protected virtual string? DefaultToken => TestTokens.Admin();

    /// <summary>A client with the given bearer token (null: anonymous).</summary>
    public HttpClient ClientAs(string? token) => CreateClient().As(token);

    /// <summary>A fresh scope's DbContext of the service, for asserting what it stored.</summary>
    public async Task<T> WithDbAsync<TContext, T>(Func<TContext, Task<T>> query) where TContext : DbContext
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<TContext>());
    }

    public virtual Task InitializeAsync()
    {
        _ = Server; // start the host: runs the migrations
        return Task.CompletedTask;
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await TestInfrastructure.DropDatabaseAsync(DatabaseName);
    }
}
