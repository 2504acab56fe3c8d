using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace TalentMatch.Web.Auth;

/// <summary>
/// The circuit's service provider, for code that runs outside the circuit's DI scope (an <see cref="HttpClient"/>
/// handler is created in a scope of its own by IHttpClientFactory). Set on every inbound circuit activity.
/// </summary>
public sealed class CircuitServicesAccessor
{
    private static readonly AsyncLocal<IServiceProvider?> Current = new();

    public IServiceProvider? Services
    {
        get => Current.Value;
        set => Current.Value = value;
    }
}

public sealed class ServicesAccessorCircuitHandler(IServiceProvider services, CircuitServicesAccessor accessor) : CircuitHandler
{
    public override Func<CircuitInboundActivityContext, Task> CreateInboundActivityHandler(Func<CircuitInboundActivityContext, Task> next) =>
        async context =>
        {
            accessor.Services = services;
            await next(context);
            accessor.Services = null;
        };
}

/// <summary>
/// Circuit-scoped: which server-side session this circuit belongs to, found at circuit start from the signed-in
/// user. The access token itself stays in the session store and is refreshed there (<see cref="TokenRefresher"/>).
/// </summary>
public sealed class CircuitTokenHolder(TokenRefresher refresher)
{
    public string? SessionKey { get; set; }

    /// <summary>Set when the provider refused to refresh: the user must sign in again.</summary>
    public bool Expired { get; private set; }

    public async Task<string?> GetAccessTokenAsync(CancellationToken ct)
    {
        if (SessionKey is null)
        {
            return null;
        }

        var tokens = await refresher.GetAccessTokenAsync(SessionKey, ct);
        Expired = tokens is null;
        return tokens?.AccessToken;
    }
}

public sealed class TokenHolderCircuitHandler(AuthenticationStateProvider authentication, CircuitTokenHolder holder) : CircuitHandler
{
    public override async Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        var state = await authentication.GetAuthenticationStateAsync();
        holder.SessionKey = state.User.FindFirst(AuthSetup.SessionClaim)?.Value;
    }
}
