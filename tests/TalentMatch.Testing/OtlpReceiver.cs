using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TalentMatch.Testing;

/// <summary>A span as the services exported it over OTLP.</summary>
public sealed record ReceivedSpan(string Service, string Scope, string TraceId, string SpanId, string ParentSpanId, string Name);

/// <summary>
/// An OTLP/HTTP receiver on loopback for tests: the services export to it with their real OTLP exporter
/// (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, protocol http/protobuf), and it keeps the spans of every
/// <c>/v1/traces</c> request. Metrics and logs are accepted and dropped. The protobuf messages
/// (<c>ExportTraceServiceRequest</c> → ResourceSpans → ScopeSpans → Span) are read field by field: only the few
/// fields the tests look at, everything else skipped by its wire type.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public OtlpReceiver()
    {
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(ReceiveAsync);
    }

    public int Port { get; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    public ConcurrentQueue<ReceivedSpan> Spans { get; } = new();

    /// <summary>The settings that make a service export to this receiver quickly.</summary>
    public IReadOnlyDictionary<string, string?> ServiceSettings() => new Dictionary<string, string?>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint,
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "5000",
    };

    private async Task ReceiveAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            if (context.Request.Url?.AbsolutePath == "/v1/traces")
            {
                foreach (var span in ReadTraces(body.ToArray()))
                {
                    Spans.Enqueue(span);
                }
            }

            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }

    private static IEnumerable<ReceivedSpan> ReadTraces(byte[] request)
    {
        foreach (var (field, resourceSpans) in Fields(request))
        {
            if (field != 1)
            {
                continue;
            }

            var service = "";
            var scopes = new List<byte[]>();
            foreach (var (f, value) in Fields(resourceSpans))
            {
                if (f == 1)
                {
                    service = Attributes(value).GetValueOrDefault("service.name", "");
                }
                else if (f == 2)
                {
                    scopes.Add(value);
                }
            }

            foreach (var scopeSpans in scopes)
            {
                var scope = "";
                foreach (var (f, value) in Fields(scopeSpans))
                {
                    if (f == 1)
                    {
                        scope = Fields(value).Where(x => x.Field == 1).Select(x => Encoding.UTF8.GetString(x.Value)).FirstOrDefault() ?? "";
                    }
                    else if (f == 2)
                    {
                        yield return Span(service, scope, value);
                    }
                }
            }
        }
    }

    private static ReceivedSpan Span(string service, string scope, byte[] span)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        foreach (var (f, value) in Fields(span))
        {
            switch (f)
            {
                case 1: traceId = Convert.ToHexStringLower(value); break;
                case 2: spanId = Convert.ToHexStringLower(value); break;
                case 4: parent = Convert.ToHexStringLower(value); break;
                case 5: name = Encoding.UTF8.GetString(value); break;
            }
        }

        return new ReceivedSpan(service, scope, traceId, spanId, parent, name);
    }

    /// <summary>Resource attributes with string values (KeyValue: 1 key, 2 AnyValue; AnyValue: 1 string_value).</summary>
    private static Dictionary<string, string> Attributes(byte[] resource)
    {
        var attributes = new Dictionary<string, string>();
        foreach (var (f, keyValue) in Fields(resource))
        {
            if (f != 1)
            {
                continue;
            }

            string? key = null, text = null;
            foreach (var (kf, v) in Fields(keyValue))
            {
                if (kf == 1)
                {
                    key = Encoding.UTF8.GetString(v);
                }
                else if (kf == 2)
                {
                    text = Fields(v).Where(x => x.Field == 1).Select(x => Encoding.UTF8.GetString(x.Value)).FirstOrDefault();
                }
            }

            if (key is not null && text is not null)
            {
                attributes[key] = text;
            }
        }

        return attributes;
    }

    /// <summary>The length-delimited fields of a message (field number, bytes); varint and fixed fields are skipped.</summary>
    private static List<(int Field, byte[] Value)> Fields(byte[] message)
    {
        var fields = new List<(int, byte[])>();
        var at = 0;
        while (at < message.Length)
        {
            var tag = Varint(message, ref at);
            var field = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0: Varint(message, ref at); break;
                case 1: at += 8; break;
                case 5: at += 4; break;
                case 2:
                    var length = (int)Varint(message, ref at);
                    fields.Add((field, message[at..(at + length)]));
                    at += length;
                    break;
                default: throw new InvalidDataException($"Unsupported protobuf wire type {tag & 7}.");
            }
        }

        return fields;
    }

    private static ulong Varint(byte[] data, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _loop;
        _listener.Close();
    }
}
