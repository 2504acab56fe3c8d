using System.Security.Claims;

namespace TalentMatch.Web.Auth;

/// <summary>The platform's roles as the identity provider issues them in the <c>role</c> claim.</summary>
public static class UserRoles
{
    public const string Researcher = "researcher";
    public const string Hr = "hr";
    public const string Ambassador = "ambassador";
    public const string Admin = "admin";

    public static bool Has(this ClaimsPrincipal user, string role) =>
        user.Identity?.IsAuthenticated == true
        && (user.IsInRole(role) || user.FindAll("role").Any(c => string.Equals(c.Value, role, StringComparison.OrdinalIgnoreCase)));

    public static IReadOnlyList<Guid> Institutions(this ClaimsPrincipal user) =>
        user.FindAll("institution").Select(c => Guid.TryParse(c.Value, out var id) ? id : Guid.Empty).Where(id => id != Guid.Empty).Distinct().ToList();

    public static string? Subject(this ClaimsPrincipal user) => user.FindFirst("sub")?.Value;

    public static string DisplayName(this ClaimsPrincipal user) =>
        user.FindFirst("name")?.Value ?? user.FindFirst("email")?.Value ?? user.Subject() ?? "";
}
