using System.Net.Http.Headers;

namespace TalentMatch.Web.Auth;

/// <summary>
/// Adds the signed-in user's access token to every call to a service. It reaches the circuit's
/// <see cref="CircuitTokenHolder"/> through <see cref="CircuitServicesAccessor"/>: the handler itself lives in the
/// HTTP client factory's own scope, and the HttpContext of a circuit is not the current request.
/// </summary>
public sealed class AccessTokenHandler(CircuitServicesAccessor accessor) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.Authorization is null && accessor.Services?.GetService<CircuitTokenHolder>() is { } holder
            && await holder.GetAccessTokenAsync(cancellationToken) is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
