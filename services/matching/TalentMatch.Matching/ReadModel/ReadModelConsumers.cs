using Microsoft.Extensions.DependencyInjection;
using MassTransit;
using TalentMatch.Contracts.Matching;
using TalentMatch.Contracts.Positions;
using TalentMatch.Contracts.Profiles;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Hosting.Observability;
using TalentMatch.Matching.Shortlists;

namespace TalentMatch.Matching.ReadModel;

public static class MatchingConsumers
{
    /// <summary>Everything the matching service listens to.</summary>
    public static void AddMatchingConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddSingleton<ProfileUpserts>();
        bus.AddConsumer<ProfileRegisteredConsumer, ProfileRegisteredConsumerDefinition>();
        bus.AddConsumer<ProfileUpdatedConsumer, ProfileUpdatedConsumerDefinition>();
        bus.AddConsumer<ProfileWithdrawnConsumer, ProfileWithdrawnConsumerDefinition>();
        bus.AddConsumer<PositionOpenedConsumer, PositionOpenedConsumerDefinition>();
        bus.AddConsumer<PositionUpdatedConsumer, PositionUpdatedConsumerDefinition>();
        bus.AddConsumer<PositionClosedConsumer, PositionClosedConsumerDefinition>();
        bus.AddConsumer<RankingModelPromotedConsumer, RankingModelPromotedConsumerDefinition>();
        bus.AddConsumer<Campaigns.CampaignChangedConsumer, Campaigns.CampaignChangedConsumerDefinition>();
    }
}

internal static class Rerank
{
    /// <summary>
    /// When the upsert changed the read model (a newer version), queues the aggregate for the shortlist worker in the
    /// same transaction, so a committed change is always ranked and a stale one never is.
    /// </summary>
    public static async Task ThenRerank(this Task<int> upsert, MatchingDbContext db, string kind, Guid aggregateId)
    {
        if (await upsert > 0)
        {
            db.RankingQueue.Add(new RankingQueueItem
            {
                Kind = kind, AggregateId = aggregateId, EnqueuedAt = DateTimeOffset.UtcNow, TraceParent = PlatformTelemetry.CurrentTraceParent(),
            });
        }
    }
}

public sealed class ProfileRegisteredConsumer(InboxBatcher<MatchingDbContext> inbox, ProfileUpserts upserts) : IConsumer<ProfileRegistered>
{
    public Task Consume(ConsumeContext<ProfileRegistered> context) =>
        inbox.ProcessOnceAsync(context, nameof(ProfileRegisteredConsumer), upserts,
            new ProfileUpsert(context.Message.AggregateId, context.Message.AggregateVersion, context.Message.View, PlatformTelemetry.CurrentTraceParent()));
}

public sealed class ProfileRegisteredConsumerDefinition : BatchedInboxConsumerDefinition<ProfileRegisteredConsumer>;

public sealed class ProfileUpdatedConsumer(InboxBatcher<MatchingDbContext> inbox, ProfileUpserts upserts) : IConsumer<ProfileUpdated>
{
    public Task Consume(ConsumeContext<ProfileUpdated> context) =>
        inbox.ProcessOnceAsync(context, nameof(ProfileUpdatedConsumer), upserts,
            new ProfileUpsert(context.Message.AggregateId, context.Message.AggregateVersion, context.Message.View, PlatformTelemetry.CurrentTraceParent()));
}

public sealed class ProfileUpdatedConsumerDefinition : BatchedInboxConsumerDefinition<ProfileUpdatedConsumer>;

public sealed class ProfileWithdrawnConsumer(InboxBatcher<MatchingDbContext> inbox) : IConsumer<ProfileWithdrawn>
{
    public Task Consume(ConsumeContext<ProfileWithdrawn> context) =>
        inbox.ProcessOnceAsync(context, nameof(ProfileWithdrawnConsumer), (db, ct) =>
            ReadModelWriter.WithdrawProfileAsync(db, context.Message.AggregateId, context.Message.AggregateVersion, ct)
                .ThenRerank(db, RankingQueueItem.Profile, context.Message.AggregateId));
}

public sealed class ProfileWithdrawnConsumerDefinition : BatchedInboxConsumerDefinition<ProfileWithdrawnConsumer>;

public sealed class PositionOpenedConsumer(InboxBatcher<MatchingDbContext> inbox) : IConsumer<PositionOpened>
{
    public Task Consume(ConsumeContext<PositionOpened> context) =>
        inbox.ProcessOnceAsync(context, nameof(PositionOpenedConsumer), (db, ct) =>
            ReadModelWriter.UpsertPositionAsync(db, context.Message.AggregateId, context.Message.AggregateVersion, context.Message.View, ct)
                .ThenRerank(db, RankingQueueItem.Position, context.Message.AggregateId));
}

public sealed class PositionOpenedConsumerDefinition : BatchedInboxConsumerDefinition<PositionOpenedConsumer>;

public sealed class PositionUpdatedConsumer(InboxBatcher<MatchingDbContext> inbox) : IConsumer<PositionUpdated>
{
    public Task Consume(ConsumeContext<PositionUpdated> context) =>
        inbox.ProcessOnceAsync(context, nameof(PositionUpdatedConsumer), (db, ct) =>
            ReadModelWriter.UpsertPositionAsync(db, context.Message.AggregateId, context.Message.AggregateVersion, context.Message.View, ct)
                .ThenRerank(db, RankingQueueItem.Position, context.Message.AggregateId));
}

public sealed class PositionUpdatedConsumerDefinition : BatchedInboxConsumerDefinition<PositionUpdatedConsumer>;

public sealed class PositionClosedConsumer(InboxBatcher<MatchingDbContext> inbox) : IConsumer<PositionClosed>
{
    public Task Consume(ConsumeContext<PositionClosed> context) =>
        inbox.ProcessOnceAsync(context, nameof(PositionClosedConsumer), (db, ct) =>
            ReadModelWriter.ClosePositionAsync(db, context.Message.AggregateId, context.Message.AggregateVersion, ct)
                .ThenRerank(db, RankingQueueItem.Position, context.Message.AggregateId));
}

public sealed class PositionClosedConsumerDefinition : BatchedInboxConsumerDefinition<PositionClosedConsumer>;

/// <summary>
/// A promotion made by any matching instance: every instance loads the new champion now rather than at its next
/// ranking batch. Loading is idempotent, so no inbox entry is needed.
/// </summary>
public sealed class RankingModelPromotedConsumer(MatchingDbContext db, ChampionModel champion) : IConsumer<RankingModelPromoted>
{
    public Task Consume(ConsumeContext<RankingModelPromoted> context) => champion.RefreshAsync(db, context.CancellationToken);
}

public sealed class RankingModelPromotedConsumerDefinition : RetryingConsumerDefinition<RankingModelPromotedConsumer>;
