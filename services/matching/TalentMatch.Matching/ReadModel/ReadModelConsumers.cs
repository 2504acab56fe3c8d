using MassTransit;
using TalentMatch.Contracts.Positions;
using TalentMatch.Contracts.Profiles;
using TalentMatch.Hosting.Messaging;

namespace TalentMatch.Matching.ReadModel;

public static class MatchingConsumers
{
    /// <summary>Everything the matching service listens to.</summary>
    public static void AddMatchingConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<ProfileRegisteredConsumer, ProfileRegisteredConsumerDefinition>();
        bus.AddConsumer<ProfileUpdatedConsumer, ProfileUpdatedConsumerDefinition>();
        bus.AddConsumer<ProfileWithdrawnConsumer, ProfileWithdrawnConsumerDefinition>();
        bus.AddConsumer<PositionOpenedConsumer, PositionOpenedConsumerDefinition>();
        bus.AddConsumer<PositionUpdatedConsumer, PositionUpdatedConsumerDefinition>();
        bus.AddConsumer<PositionClosedConsumer, PositionClosedConsumerDefinition>();
    }
}

public sealed class ProfileRegisteredConsumer(MatchingDbContext db) : IConsumer<ProfileRegistered>
{
    public Task Consume(ConsumeContext<ProfileRegistered> context) =>
        db.ProcessOnceAsync(context, nameof(ProfileRegisteredConsumer), ct =>
            ReadModelWriter.UpsertProfileAsync(db, context.Message.AggregateId, context.Message.AggregateVersion, context.Message.View, ct));
}

public sealed class ProfileRegisteredConsumerDefinition : RetryingConsumerDefinition<ProfileRegisteredConsumer>;

public sealed class ProfileUpdatedConsumer(MatchingDbContext db) : IConsumer<ProfileUpdated>
{
    public Task Consume(ConsumeContext<ProfileUpdated> context) =>
        db.ProcessOnceAsync(context, nameof(ProfileUpdatedConsumer), ct =>
            ReadModelWriter.UpsertProfileAsync(db, context.Message.AggregateId, context.Message.AggregateVersion, context.Message.View, ct));
}

public sealed class ProfileUpdatedConsumerDefinition : RetryingConsumerDefinition<ProfileUpdatedConsumer>;

public sealed class ProfileWithdrawnConsumer(MatchingDbContext db) : IConsumer<ProfileWithdrawn>
{
    public Task Consume(ConsumeContext<ProfileWithdrawn> context) =>
        db.ProcessOnceAsync(context, nameof(ProfileWithdrawnConsumer), ct =>
            ReadModelWriter.WithdrawProfileAsync(db, context.Message.AggregateId, context.Message.AggregateVersion, ct));
}

public sealed class ProfileWithdrawnConsumerDefinition : RetryingConsumerDefinition<ProfileWithdrawnConsumer>;

public sealed class PositionOpenedConsumer(MatchingDbContext db) : IConsumer<PositionOpened>
{
    public Task Consume(ConsumeContext<PositionOpened> context) =>
        db.ProcessOnceAsync(context, nameof(PositionOpenedConsumer), ct =>
            ReadModelWriter.UpsertPositionAsync(db, context.Message.AggregateId, context.Message.AggregateVersion, context.Message.View, ct));
}

public sealed class PositionOpenedConsumerDefinition : RetryingConsumerDefinition<PositionOpenedConsumer>;

public sealed class PositionUpdatedConsumer(MatchingDbContext db) : IConsumer<PositionUpdated>
{
    public Task Consume(ConsumeContext<PositionUpdated> context) =>
        db.ProcessOnceAsync(context, nameof(PositionUpdatedConsumer), ct =>
            ReadModelWriter.UpsertPositionAsync(db, context.Message.AggregateId, context.Message.AggregateVersion, context.Message.View, ct));
}

public sealed class PositionUpdatedConsumerDefinition : RetryingConsumerDefinition<PositionUpdatedConsumer>;

public sealed class PositionClosedConsumer(MatchingDbContext db) : IConsumer<PositionClosed>
{
    public Task Consume(ConsumeContext<PositionClosed> context) =>
        db.ProcessOnceAsync(context, nameof(PositionClosedConsumer), ct =>
            ReadModelWriter.ClosePositionAsync(db, context.Message.AggregateId, context.Message.AggregateVersion, ct));
}

public sealed class PositionClosedConsumerDefinition : RetryingConsumerDefinition<PositionClosedConsumer>;
