using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Hosting.Auth;

namespace TalentMatch.Matching.Campaigns;

/// <summary>
/// Whose matches a caller sees: an administrator all; an HR office its institution's; an ambassador the institutions in
/// their token and the positions of the campaigns they are appointed to now (read from matching's copy of the
/// campaigns at each request, so an appointment or removal takes effect without a new sign-in).
/// </summary>
public sealed class CallerScope
{
    private CallerScope(bool all, IReadOnlySet<Guid> institutions, IReadOnlySet<Guid> positions)
    {
        All = all;
        Institutions = institutions;
        Positions = positions;
    }

    public bool All { get; }

    public IReadOnlySet<Guid> Institutions { get; }

    /// <summary>Positions of the campaigns an ambassador is appointed to.</summary>
    public IReadOnlySet<Guid> Positions { get; }

    public bool Covers(Guid institutionId, Guid positionId) =>
        All || Institutions.Contains(institutionId) || Positions.Contains(positionId);

    public static async Task<CallerScope> ForAsync(ClaimsPrincipal user, MatchingDbContext db, CancellationToken ct)
    {
        if (user.IsAdmin())
        {
            return new CallerScope(true, new HashSet<Guid>(), new HashSet<Guid>());
        }

        var institutions = user.IsHr() || user.IsAmbassador() ? user.Institutions() : new HashSet<Guid>();
        var positions = new HashSet<Guid>();
        if (user.IsAmbassador() && user.UserGuid() is { } account)
        {
            foreach (var ids in await db.Campaigns.AsNoTracking().Where(c => c.AmbassadorIds.Contains(account)).Select(c => c.PositionIds).ToListAsync(ct))
            {
                positions.UnionWith(ids);
            }
        }

        return new CallerScope(false, institutions, positions);
    }
}
