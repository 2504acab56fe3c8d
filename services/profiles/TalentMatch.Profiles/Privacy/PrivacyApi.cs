using System.Security.Claims;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Contracts.Identity;
using TalentMatch.Contracts.Matching;
using TalentMatch.Contracts.Profiles;
using TalentMatch.Hosting.Auth;
using TalentMatch.Hosting.Messaging;

namespace TalentMatch.Profiles.Privacy;

/// <summary>What an HR office sees of a candidate: the matching view, plus name and contact only with that
/// researcher's consent to share them with this institution.</summary>
public sealed record CandidateCard(
    Guid ProfileId, string CareerStage, string HighestDegree, IReadOnlyList<string> ResearchFields, IReadOnlyList<string> Skills,
    double YearsOfExperience, int PublicationsCount, int HIndex, IReadOnlyList<string> PreferredCities, bool ContactShared,
    string? FullName, string? Email, string? Phone, string? Orcid);

public sealed record SharingResponse(Guid InstitutionId, DateTimeOffset GrantedAt);

/// <summary>Everything the platform holds about a researcher in this service (the right of access / portability).</summary>
public sealed record ProfileExport(
    ProfileResponse Profile, IReadOnlyList<SharingResponse> ContactSharing, IReadOnlyList<Endorsement> Endorsements,
    IReadOnlyList<PersonalDataAccess> AccessLog, DateTimeOffset ExportedAt);

public static class PrivacyApi
{
    internal static RouteGroupBuilder MapPrivacyApi(this RouteGroupBuilder api)
    {
        api.MapGet("/{id:guid}/card", Card).WithName("GetCandidateCard").RequireAuthorization(PlatformAuthentication.HrPolicy)
            .WithSummary("A candidate endorsed for one of your institution's positions: the matching view, with name and contact only if the researcher shares them with your institution. Every read is audited.");
        api.MapGet("/{id:guid}/export", Export).WithName("ExportProfileData")
            .WithSummary("Everything held about your profile, as JSON: the profile, contact sharing, endorsements and who accessed your data.");
        api.MapDelete("/{id:guid}", Erase).WithName("EraseProfile")
            .WithSummary("Erases your profile (If-Match optional): personal data is deleted here and ProfileErased makes matching purge or anonymise its copies.");
        api.MapPut("/{id:guid}/sharing/{institutionId:guid}", Share).WithName("ShareContact")
            .WithSummary("Agree to show your name and contact details to one institution's HR office.");
        api.MapDelete("/{id:guid}/sharing/{institutionId:guid}", Unshare).WithName("RevokeContactSharing")
            .WithSummary("Revoke contact sharing with one institution.");
        return api;
    }

    private static async Task<IResult> Card(Guid id, ProfilesDbContext db, ClaimsPrincipal user, CancellationToken ct)
    {
        var institutions = user.IsAdmin() ? null : user.Institutions().ToList();
        var endorsedFor = await db.Endorsements.AsNoTracking()
            .Where(e => e.ProfileId == id && (institutions == null || institutions.Contains(e.InstitutionId)))
            .Select(e => e.InstitutionId).Distinct().ToListAsync(ct);
        var profile = endorsedFor.Count == 0 && !user.IsAdmin() ? null : await db.Profiles.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct);
        if (profile is null || profile.Status == ProfileStatus.Withdrawn && !user.IsAdmin())
        {
            return ProfilesApi.NotFound(id);
        }

        var shared = await db.ContactSharing.AsNoTracking().AnyAsync(s => s.ProfileId == id && endorsedFor.Contains(s.InstitutionId), ct);
        await Audit.RecordAsync(db, user, id, endorsedFor.Count == 1 ? endorsedFor[0] : null, shared ? "card-with-contact" : "card", ct);
        return TypedResults.Ok(new CandidateCard(
            profile.Id, profile.CareerStage.ToString(), profile.HighestDegree.ToString().ToLowerInvariant(), profile.ResearchFields, profile.Skills,
            profile.YearsOfExperience, profile.PublicationsCount, profile.HIndex, profile.PreferredCities, shared,
            shared ? profile.FullName : null, shared ? profile.Email : null, shared ? profile.Phone : null, shared ? profile.Orcid : null));
    }

    private static async Task<IResult> Export(Guid id, ProfilesDbContext db, ClaimsPrincipal user, CancellationToken ct)
    {
        if (!ProfilesApi.MayAccess(user, id) || await db.Profiles.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct) is not { } profile)
        {
            return ProfilesApi.NotFound(id);
        }

        if (!user.Owns(id))
        {
            await Audit.RecordAsync(db, user, id, null, "export", ct);
        }

        var sharing = await db.ContactSharing.AsNoTracking().Where(s => s.ProfileId == id)
            .Select(s => new SharingResponse(s.InstitutionId, s.GrantedAt)).ToListAsync(ct);
        var endorsements = await db.Endorsements.AsNoTracking().Where(e => e.ProfileId == id).ToListAsync(ct);
        var accesses = await db.PersonalDataAccess.AsNoTracking().Where(a => a.ProfileId == id).OrderBy(a => a.Id).ToListAsync(ct);
        return TypedResults.Ok(new ProfileExport(ProfileResponse.From(profile), sharing, endorsements, accesses, DateTimeOffset.UtcNow));
    }

    private static async Task<IResult> Erase(Guid id, ProfilesDbContext db, ClaimsPrincipal user, HttpContext http, CancellationToken ct)
    {
        if (!ProfilesApi.MayAccess(user, id) || await db.Profiles.FirstOrDefaultAsync(p => p.Id == id, ct) is not { } profile)
        {
            return ProfilesApi.NotFound(id);
        }

        if (!Hosting.Web.ETags.IfMatchSatisfied(http, profile.Version))
        {
            return Hosting.Web.ETags.PreconditionFailed(profile.Version);
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await EraseAsync(db, profile, ct);
        await tx.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Deletes the profile, its sharing, endorsements and stored idempotent answers and enqueues
    /// <see cref="ProfileErased"/>, in the caller's transaction. Shared by <c>DELETE /api/profiles/{id}</c> and the
    /// deletion of the researcher's account.
    /// </summary>
    internal static async Task EraseAsync(ProfilesDbContext db, Profile profile, CancellationToken ct)
    {
        var id = profile.Id;
        db.Profiles.Remove(profile);
        await db.ContactSharing.Where(s => s.ProfileId == id).ExecuteDeleteAsync(ct);
        await db.Endorsements.Where(e => e.ProfileId == id).ExecuteDeleteAsync(ct);
        // Stored idempotent answers hold the profile as it was registered.
        await db.Database.ExecuteSqlAsync($"DELETE FROM idempotency_keys WHERE location = {"/api/profiles/" + id}", ct);
        db.Enqueue(new ProfileErased(Guid.NewGuid(), DateTimeOffset.UtcNow, id, profile.Version + 1));
        await db.SaveChangesAsync(ct);
    }

    private static async Task<IResult> Share(
        Guid id, Guid institutionId, ProfilesDbContext db, ClaimsPrincipal user, ReferenceData.Institutions institutions, CancellationToken ct)
    {
        if (!user.Owns(id) || !await db.Profiles.AnyAsync(p => p.Id == id, ct))
        {
            return ProfilesApi.NotFound(id);
        }

        // Profiles does not own institutions; the seed documents are the reference both services load.
        if (!institutions.TryGet(institutionId, out _))
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["institutionId"] = ["Unknown institution; see GET /api/institutions on the positions service."] },
                title: "Contact details can only be shared with an institution of the platform.");
        }

        var existing = await db.ContactSharing.FirstOrDefaultAsync(s => s.ProfileId == id && s.InstitutionId == institutionId, ct);
        if (existing is null)
        {
            existing = new ContactSharing { ProfileId = id, InstitutionId = institutionId, GrantedAt = DateTimeOffset.UtcNow };
            db.ContactSharing.Add(existing);
            await db.SaveChangesAsync(ct);
        }

        return TypedResults.Ok(new SharingResponse(existing.InstitutionId, existing.GrantedAt));
    }

    private static async Task<IResult> Unshare(Guid id, Guid institutionId, ProfilesDbContext db, ClaimsPrincipal user, CancellationToken ct)
    {
        if (!user.Owns(id) || !await db.Profiles.AnyAsync(p => p.Id == id, ct))
        {
            return ProfilesApi.NotFound(id);
        }

        await db.ContactSharing.Where(s => s.ProfileId == id && s.InstitutionId == institutionId).ExecuteDeleteAsync(ct);
        return TypedResults.NoContent();
    }
}

/// <summary>Writes one row per access to a profile's personal data by someone other than its owner.</summary>
public static class Audit
{
    public static async Task RecordAsync(ProfilesDbContext db, ClaimsPrincipal user, Guid profileId, Guid? institutionId, string purpose, CancellationToken ct)
    {
        db.PersonalDataAccess.Add(new PersonalDataAccess
        {
            ProfileId = profileId,
            AccessorId = user.UserId() ?? "unknown",
            AccessorRole = Roles.All.FirstOrDefault(user.IsInRole) ?? "unknown",
            InstitutionId = institutionId,
            Purpose = purpose,
            AccessedAt = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync(ct);
    }
}

/// <summary>Remembers which institution's HR office may see an endorsed candidate's card.</summary>
public sealed class MatchReviewedConsumer(ProfilesDbContext db) : IConsumer<MatchReviewed>
{
    public Task Consume(ConsumeContext<MatchReviewed> context) =>
        db.ProcessOnceAsync(context, nameof(MatchReviewedConsumer), async ct =>
        {
            var m = context.Message;
            if (m.Decision == "endorse" && m.InstitutionId != Guid.Empty && await db.Profiles.AnyAsync(p => p.Id == m.ProfileId, ct))
            {
                await db.Database.ExecuteSqlAsync($"""
                    INSERT INTO endorsements (profile_id, position_id, institution_id, endorsed_at)
                    VALUES ({m.ProfileId}, {m.PositionId}, {m.InstitutionId}, {m.OccurredAt})
                    ON CONFLICT DO NOTHING
                    """, ct);
            }
        });
}

public sealed class MatchReviewedConsumerDefinition : RetryingConsumerDefinition<MatchReviewedConsumer>;

/// <summary>
/// A deleted account takes its profile with it: a researcher's profile (whose id is the account id) is erased as
/// <c>DELETE /api/profiles/{id}</c> erases it, and <see cref="ProfileErased"/> makes matching purge its copies.
/// </summary>
public sealed class AccountDeletedConsumer(ProfilesDbContext db) : IConsumer<AccountDeleted>
{
    public Task Consume(ConsumeContext<AccountDeleted> context) =>
        db.ProcessOnceAsync(context, nameof(AccountDeletedConsumer), async ct =>
        {
            if (await db.Profiles.FirstOrDefaultAsync(p => p.Id == context.Message.AggregateId, ct) is { } profile)
            {
                await PrivacyApi.EraseAsync(db, profile, ct);
            }
        });
}

public sealed class AccountDeletedConsumerDefinition : RetryingConsumerDefinition<AccountDeletedConsumer>;
