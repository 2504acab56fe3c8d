using System.Diagnostics;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using TalentMatch.Testing;

/// <summary>
/// The pipeline's floor, measured on the same PostgreSQL and RabbitMQ in the same run: what the infrastructure alone
/// needs for N registrations. At the same time, N rows (the registration's JSON) written by batched binary COPY with
/// Npgsql alone, 256 rows per transaction as the group commit writes them, and N messages of the same body published
/// with confirms to a quorum queue and consumed with acks by RabbitMQ.Client alone. The platform's end-to-end rate is
/// reported as a share of this rate, and its CPU per registration as a multiple of this one's.
/// </summary>
internal static class Floor
{
    private const int RowsPerTransaction = 256;
    private const int PublishesInFlight = 256;

    public sealed record Result(int Count, double Seconds, CpuCost Cpu)
    {
        public double PerSecond => Count / Seconds;

        public override string ToString() => $"{Count} rows + messages in {Seconds:0.00} s = {PerSecond:0}/s; CPU per registration {Cpu}";
    }

    public static async Task<Result> RunAsync(IReadOnlyList<string> bodies)
    {
        var vhost = "floor-" + Guid.NewGuid().ToString("N")[..8];
        var database = TestInfrastructure.UniqueDatabaseName("floor");
        await Platform.RabbitMqCtl("add_vhost", vhost);
        await Platform.RabbitMqCtl("set_permissions", "-p", vhost, TestInfrastructure.RabbitUser, ".*", ".*", ".*");
        await using (var admin = new NpgsqlConnection(TestInfrastructure.ConnectionString("postgres")))
        {
            await admin.OpenAsync();
            await new NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin).ExecuteNonQueryAsync();
        }

        try
        {
            await using var connection = new NpgsqlConnection(TestInfrastructure.ConnectionString(database));
            await connection.OpenAsync();
            await new NpgsqlCommand("CREATE TABLE floor_rows (id uuid PRIMARY KEY, payload jsonb NOT NULL, created_at timestamptz NOT NULL)", connection)
                .ExecuteNonQueryAsync();
            var factory = new ConnectionFactory
            {
                HostName = TestInfrastructure.RabbitHost, Port = TestInfrastructure.RabbitPort, VirtualHost = vhost,
                UserName = TestInfrastructure.RabbitUser, Password = TestInfrastructure.RabbitPassword,
            };
            await using var publisher = await factory.CreateConnectionAsync();
            await using var subscriber = await factory.CreateConnectionAsync();
            await using var publish = await publisher.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
            await using var consume = await subscriber.CreateChannelAsync();
            const string queue = "floor";
            await publish.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
            await consume.BasicQosAsync(0, 64, false);

            var consumed = 0;
            var allConsumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var consumer = new AsyncEventingBasicConsumer(consume);
            consumer.ReceivedAsync += async (_, delivery) =>
            {
                await consume.BasicAckAsync(delivery.DeliveryTag, multiple: false);
                if (Interlocked.Increment(ref consumed) == bodies.Count)
                {
                    allConsumed.TrySetResult();
                }
            };
            await consume.BasicConsumeAsync(queue, autoAck: false, consumer);

            var cpuBefore = Snapshot();
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(CopyAsync(connection, bodies), PublishAsync(publish, queue, bodies));
            await allConsumed.Task.WaitAsync(TimeSpan.FromMinutes(5));
            var seconds = clock.Elapsed.TotalSeconds;
            return new Result(bodies.Count, seconds, Snapshot().PerRegistration(cpuBefore, bodies.Count));
        }
        finally
        {
            await TestInfrastructure.DropDatabaseAsync(database);
            await Platform.RabbitMqCtl("delete_vhost", vhost);
        }
    }

    private static async Task CopyAsync(NpgsqlConnection connection, IReadOnlyList<string> bodies)
    {
        var now = DateTimeOffset.UtcNow;
        for (var start = 0; start < bodies.Count; start += RowsPerTransaction)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var copy = await connection.BeginBinaryImportAsync("COPY floor_rows (id, payload, created_at) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var body in bodies.Skip(start).Take(RowsPerTransaction))
                {
                    copy.StartRow();
                    copy.Write(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                    copy.Write(body, NpgsqlDbType.Jsonb);
                    copy.Write(now, NpgsqlDbType.TimestampTz);
                }

                await copy.CompleteAsync();
            }

            await transaction.CommitAsync();
        }
    }

    private static async Task PublishAsync(IChannel channel, string queue, IReadOnlyList<string> bodies)
    {
        var properties = new BasicProperties { Persistent = true, ContentType = "application/json" };
        var inFlight = new List<Task>(PublishesInFlight);
        foreach (var body in bodies)
        {
            // With confirmation tracking, each publish completes when the broker confirmed it.
            inFlight.Add(channel.BasicPublishAsync("", queue, mandatory: true, properties, Encoding.UTF8.GetBytes(body)).AsTask());
            if (inFlight.Count == PublishesInFlight)
            {
                await Task.WhenAll(inFlight);
                inFlight.Clear();
            }
        }

        await Task.WhenAll(inFlight);
    }

    /// <summary>Machine, this driver, PostgreSQL and RabbitMQ (no services run during the floor).</summary>
    private static CpuSnapshot Snapshot()
    {
        var infrastructure = CpuSnapshot.OfProcesses("postgres", "beam.smp");
        return new CpuSnapshot(CpuSnapshot.MachineBusy(), TimeSpan.Zero, TimeSpan.Zero, Process.GetCurrentProcess().TotalProcessorTime,
            infrastructure["postgres"], infrastructure["beam.smp"]);
    }
}
