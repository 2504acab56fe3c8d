using System.Text;
using System.Text.Json;
using RabbitMQ.Client;

namespace TalentMatch.ErrorQueue;

/// <summary>One dead-lettered message as MassTransit left it in an <c>_error</c> queue.</summary>
public sealed record ErroredMessage(
    string? MessageId,
    string? MessageType,
    string? ExceptionType,
    string? ExceptionMessage,
    string? FaultedAt,
    string? InputAddress,
    string? ConsumerType,
    int BodyBytes,
    string BodyPreview);

/// <summary>What a re-drive did.</summary>
public sealed record RedriveResult(int Moved, int Kept, string Target);

/// <summary>
/// Reads and re-drives an error queue over AMQP. Reading never removes anything: messages are fetched unacknowledged
/// and return to the queue when the channel closes. A re-drive publishes a copy (same message id, body and headers
/// minus MassTransit's MT-Fault-* / MT-Reason headers) to the original queue through the default exchange, waits for
/// the broker's confirm and only then acknowledges (removes) the error-queue copy. The consumer's inbox makes a
/// message that had in fact been applied before harmless.
/// </summary>
public sealed class ErrorQueueClient(ConnectionFactory factory) : IAsyncDisposable
{
    private IConnection? _connection;

    public static ErrorQueueClient Create(string host, int port, string virtualHost, string user, string password) =>
        new(new ConnectionFactory { HostName = host, Port = port, VirtualHost = virtualHost, UserName = user, Password = password });

    public async Task<uint> CountAsync(string queue, CancellationToken ct = default)
    {
        await using var channel = await (await ConnectAsync(ct)).CreateChannelAsync(cancellationToken: ct);
        var ok = await channel.QueueDeclarePassiveAsync(queue, ct);
        return ok.MessageCount;
    }

    public async Task<IReadOnlyList<ErroredMessage>> PeekAsync(string queue, int max, CancellationToken ct = default)
    {
        var result = new List<ErroredMessage>();
        await using var channel = await (await ConnectAsync(ct)).CreateChannelAsync(cancellationToken: ct);
        while (result.Count < max && await channel.BasicGetAsync(queue, autoAck: false, ct) is { } get)
        {
            result.Add(Describe(get));
        }

        await channel.CloseAsync(ct); // everything fetched goes back, unacknowledged
        return result;
    }

    /// <summary>Moves the selected messages (all when <paramref name="messageIds"/> is empty) back to <paramref name="target"/>.</summary>
    public async Task<RedriveResult> RedriveAsync(string queue, IReadOnlyCollection<string> messageIds, string? target = null, int max = int.MaxValue, CancellationToken ct = default)
    {
        target ??= queue.EndsWith("_error", StringComparison.Ordinal) ? queue[..^"_error".Length]
            : throw new ArgumentException("Give --to for a queue whose name does not end in _error.");
        var options = new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);
        await using var channel = await (await ConnectAsync(ct)).CreateChannelAsync(options, ct);
        await channel.QueueDeclarePassiveAsync(target, ct); // never create a queue by mistake
        int moved = 0, kept = 0, waits = 0;
        while (moved + kept < max)
        {
            if (await channel.BasicGetAsync(queue, autoAck: false, ct) is not { } get)
            {
                // Messages another client just returned (a peek closing its channel) take a moment to be ready again
                // on a quorum queue: wait briefly while the queue still reports ready messages.
                if (waits++ < 25 && (await channel.QueueDeclarePassiveAsync(queue, ct)).MessageCount > 0)
                {
                    await Task.Delay(200, ct);
                    continue;
                }

                break;
            }

            var id = get.BasicProperties.MessageId ?? Header(get.BasicProperties, "MessageId");
            if (messageIds.Count > 0 && (id is null || !messageIds.Contains(id)))
            {
                kept++; // stays unacknowledged until the channel closes, then returns to the error queue
                continue;
            }

            var properties = new BasicProperties(get.BasicProperties)
            {
                Headers = get.BasicProperties.Headers?
                    .Where(h => !h.Key.StartsWith("MT-Fault-", StringComparison.Ordinal) && h.Key != "MT-Reason")
                    .ToDictionary(h => h.Key, h => h.Value),
            };
            // With confirmations tracked, this completes only when the broker has confirmed (throws if it nacks).
            await channel.BasicPublishAsync("", target, mandatory: true, properties, get.Body, ct);
            await channel.BasicAckAsync(get.DeliveryTag, multiple: false, ct);
            moved++;
        }

        await channel.CloseAsync(ct);
        return new RedriveResult(moved, kept, target);
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.CloseAsync();
            _connection.Dispose();
        }
    }

    private async Task<IConnection> ConnectAsync(CancellationToken ct) =>
        _connection ??= await factory.CreateConnectionAsync("talentmatch-error-queue", ct);

    private static ErroredMessage Describe(BasicGetResult get)
    {
        var p = get.BasicProperties;
        var body = Encoding.UTF8.GetString(get.Body.Span);
        string? type = null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.TryGetProperty("messageType", out var types) && types.ValueKind == JsonValueKind.Array)
            {
                type = types.EnumerateArray().FirstOrDefault().GetString();
            }
        }
        catch (JsonException)
        {
            // not a MassTransit envelope (or not JSON at all): shown as is
        }

        return new ErroredMessage(
            p.MessageId, type ?? Header(p, "MT-Fault-MessageType"), Header(p, "MT-Fault-ExceptionType"), Header(p, "MT-Fault-Message"),
            Header(p, "MT-Fault-Timestamp"), Header(p, "MT-Fault-InputAddress"), Header(p, "MT-Fault-ConsumerType"),
            get.Body.Length, body.Length <= 300 ? body : body[..300] + "…");
    }

    private static string? Header(IReadOnlyBasicProperties p, string name) =>
        p.Headers is not null && p.Headers.TryGetValue(name, out var value)
            ? value switch
            {
                byte[] bytes => Encoding.UTF8.GetString(bytes),
                null => null,
                _ => value.ToString(),
            }
            : null;
}
