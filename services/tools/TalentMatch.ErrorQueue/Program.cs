using System.Text.Json;
using TalentMatch.ErrorQueue;

// Inspect and re-drive MassTransit error queues.
//
//   dotnet run --project services/tools/TalentMatch.ErrorQueue -- <command> [options]
//
//   count   --queue profile-registered_error                     number of dead-lettered messages
//   show    --queue profile-registered_error [--max 20] [--json] message id, type, exception, time (nothing removed)
//   redrive --queue profile-registered_error [--id <messageId>]... [--all] [--to profile-registered] [--max N]
//                                                                 move messages back to the consumer's queue
// Connection: --host 127.0.0.1 --port <TM_RABBIT_PORT or 35672> --vhost / --user guest --password guest
// Error queues are named <consumer queue>_error; list them with
//   deploy/infra.sh rabbitmqctl list_queues -p <vhost> name messages | grep _error
if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine("usage: count|show|redrive --queue <name>_error [--id ID]... [--all] [--to QUEUE] [--max N] [--json] " +
                      "[--host H] [--port P] [--vhost V] [--user U] [--password P]");
    return 0;
}

var command = args[0];
var options = new Dictionary<string, List<string>>();
var flags = new HashSet<string>();
for (var i = 1; i < args.Length; i++)
{
    var name = args[i].TrimStart('-');
    if (name is "all" or "json")
    {
        flags.Add(name);
    }
    else if (i + 1 < args.Length)
    {
        (options.TryGetValue(name, out var list) ? list : options[name] = []).Add(args[++i]);
    }
    else
    {
        Console.Error.WriteLine($"missing value for {args[i]}");
        return 2;
    }
}

string Opt(string name, string fallback) => options.TryGetValue(name, out var v) ? v[^1] : fallback;
var queue = Opt("queue", "");
if (queue.Length == 0)
{
    Console.Error.WriteLine("--queue is required");
    return 2;
}

await using var client = ErrorQueueClient.Create(
    Opt("host", "127.0.0.1"), int.Parse(Opt("port", Environment.GetEnvironmentVariable("TM_RABBIT_PORT") ?? "35672")),
    Opt("vhost", "/"), Opt("user", "guest"), Opt("password", "guest"));

switch (command)
{
    case "count":
        Console.WriteLine(await client.CountAsync(queue));
        return 0;
    case "show":
        var messages = await client.PeekAsync(queue, int.Parse(Opt("max", "20")));
        if (flags.Contains("json"))
        {
            Console.WriteLine(JsonSerializer.Serialize(messages, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
            return 0;
        }

        Console.WriteLine($"{queue}: {await client.CountAsync(queue)} message(s); showing {messages.Count}");
        foreach (var m in messages)
        {
            Console.WriteLine($"- {m.MessageId}  {m.MessageType}  faulted {m.FaultedAt}");
            Console.WriteLine($"    {m.ExceptionType}: {m.ExceptionMessage}");
            Console.WriteLine($"    consumer {m.ConsumerType}, {m.BodyBytes} bytes");
        }

        return 0;
    case "redrive":
        var ids = options.GetValueOrDefault("id") ?? [];
        if (ids.Count == 0 && !flags.Contains("all"))
        {
            Console.Error.WriteLine("say which messages: --id <messageId> (repeatable) or --all");
            return 2;
        }

        var result = await client.RedriveAsync(queue, ids, options.ContainsKey("to") ? Opt("to", "") : null,
            int.Parse(Opt("max", int.MaxValue.ToString())));
        Console.WriteLine($"moved {result.Moved} message(s) to {result.Target}; {result.Kept} left in {queue}");
        return 0;
    default:
        Console.Error.WriteLine($"unknown command '{command}'");
        return 2;
}
