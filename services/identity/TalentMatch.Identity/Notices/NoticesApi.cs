using System.Security.Claims;
using FluentValidation;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Hosting.Auth;
using TalentMatch.Hosting.Web;

namespace TalentMatch.Identity.Notices;

public sealed record NoticeView(long Id, NoticeKind Kind, Guid PositionId, Guid MatchId, double Score, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt, DateTimeOffset? EmailedAt);

public sealed record NoticeList(IReadOnlyList<NoticeView> Items, int PageNumber, int PageSize, long Total, long Unread);

public sealed record NoticeSettingsRequest(bool? Recommendations, bool? Proposals, bool? Endorsements);

public sealed record NoticeSettingsView(bool Recommendations, bool Proposals, bool Endorsements);

public sealed class NoticeSettingsRequestValidator : AbstractValidator<NoticeSettingsRequest>
{
    public NoticeSettingsRequestValidator()
    {
        RuleFor(r => r.Recommendations).NotNull();
        RuleFor(r => r.Proposals).NotNull();
        RuleFor(r => r.Endorsements).NotNull();
    }
}

public static class NoticesApi
{
    public static WebApplicationBuilder AddNotices(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(builder.Configuration.GetSection("Notices").Get<NoticeOptions>() ?? new NoticeOptions());
        builder.Services.AddScoped<NoticeWriter>();
        builder.Services.AddSingleton<NoticeMailer>();
        builder.Services.AddHostedService(s => s.GetRequiredService<NoticeMailer>());
        builder.Services.AddSingleton<IValidator<NoticeSettingsRequest>, NoticeSettingsRequestValidator>();
        return builder;
    }

    public static void AddNoticeConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<MatchProposedNoticeConsumer, MatchProposedNoticeConsumerDefinition>();
        bus.AddConsumer<MatchReviewedNoticeConsumer, MatchReviewedNoticeConsumerDefinition>();
        bus.AddConsumer<CampaignChangedNoticeConsumer, CampaignChangedNoticeConsumerDefinition>();
    }

    public static IEndpointRouteBuilder MapNoticesApi(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/api/me").WithTags("Notices");
        me.MapGet("/notices", List).WithName("ListNotices")
            .WithSummary("The caller's notices, newest first, with how many are unread: recommendations (researchers), proposals to review (ambassadors), endorsements (HR offices).");
        me.MapPost("/notices/read", MarkRead).WithName("MarkNoticesRead").WithSummary("Marks every notice of the caller as read.");
        me.MapGet("/notice-settings", GetSettings).WithName("GetNoticeSettings").WithSummary("Which notices the caller receives (in the web app and by e-mail).");
        me.MapPut("/notice-settings", PutSettings).Validate<NoticeSettingsRequest>().WithName("UpdateNoticeSettings")
            .WithSummary("Turns each kind of notice on or off for the caller.");
        return app;
    }

    private static async Task<Results<Ok<NoticeList>, ValidationProblem>> List(IdentityDb db, ClaimsPrincipal user, CancellationToken ct, int? page = null, int? pageSize = null)
    {
        if (!PageRequest.TryRead(page, pageSize, out var paging, out var problem))
        {
            return problem!;
        }

        var mine = db.Set<Notice>().AsNoTracking().Where(n => n.AccountId == user.UserId());
        var items = await mine.OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id).Skip(paging.Skip).Take(paging.PageSize)
            .Select(n => new NoticeView(n.Id, n.Kind, n.PositionId, n.MatchId, n.Score, n.CreatedAt, n.ReadAt, n.EmailedAt)).ToListAsync(ct);
        return TypedResults.Ok(new NoticeList(items, paging.PageNumber, paging.PageSize, await mine.LongCountAsync(ct), await mine.LongCountAsync(n => n.ReadAt == null, ct)));
    }

    private static async Task<NoContent> MarkRead(IdentityDb db, ClaimsPrincipal user, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        await db.Set<Notice>().Where(n => n.AccountId == user.UserId() && n.ReadAt == null).ExecuteUpdateAsync(u => u.SetProperty(n => n.ReadAt, now), ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<NoticeSettingsView>> GetSettings(IdentityDb db, ClaimsPrincipal user, CancellationToken ct)
    {
        var settings = await db.Set<NoticeSettings>().AsNoTracking().FirstOrDefaultAsync(s => s.AccountId == user.UserId(), ct)
            ?? new NoticeSettings { AccountId = "" };
        return TypedResults.Ok(new NoticeSettingsView(settings.Recommendations, settings.Proposals, settings.Endorsements));
    }

    private static async Task<Ok<NoticeSettingsView>> PutSettings(NoticeSettingsRequest request, IdentityDb db, ClaimsPrincipal user, CancellationToken ct)
    {
        var account = user.UserId()!;
        var settings = await db.Set<NoticeSettings>().FirstOrDefaultAsync(s => s.AccountId == account, ct);
        if (settings is null && request is { Recommendations: true, Proposals: true, Endorsements: true })
        {
            return TypedResults.Ok(new NoticeSettingsView(true, true, true)); // the defaults: nothing to store
        }

        if (settings is null)
        {
            settings = new NoticeSettings { AccountId = account };
            db.Add(settings);
        }

        settings.Recommendations = request.Recommendations!.Value;
        settings.Proposals = request.Proposals!.Value;
        settings.Endorsements = request.Endorsements!.Value;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            // Two first saves at once: the other one's row stands; this request's values are applied to it.
            db.ChangeTracker.Clear();
            return await PutSettings(request, db, user, ct);
        }

        return TypedResults.Ok(new NoticeSettingsView(settings.Recommendations, settings.Proposals, settings.Endorsements));
    }
}
