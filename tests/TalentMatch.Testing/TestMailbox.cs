using System.Text.RegularExpressions;
using netDumbster.smtp;

namespace TalentMatch.Testing;

/// <summary>
/// A real SMTP server in the test process (netDumbster) on a free loopback port: the identity service sends its account
/// mails here and a test reads the links out of what arrived.
/// </summary>
public sealed partial class TestMailbox : IDisposable
{
    private readonly SimpleSmtpServer server = SimpleSmtpServer.Start(FreePort());
    private readonly List<SmtpMessage> received = [];

    // The server's own store does not keep arrival order; its event does.
    public TestMailbox() => server.MessageReceived += (_, e) =>
    {
        lock (received)
        {
            received.Add(e.Message);
        }
    };

    public int Port => server.Configuration.Port;

    /// <summary>The settings that point the identity service at this mailbox.</summary>
    public Dictionary<string, string?> IdentitySettings() => new()
    {
        ["Mail:SmtpHost"] = "127.0.0.1",
        ["Mail:SmtpPort"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The plain-text bodies of the mails that arrived for <paramref name="to"/>, oldest first.</summary>
    public IReadOnlyList<string> MessagesTo(string to)
    {
        lock (received)
        {
            return received.Where(m => m.ToAddresses.Any(a => string.Equals(a.Address, to, StringComparison.OrdinalIgnoreCase)))
                .Select(m => m.MessageParts.Length > 0 ? m.MessageParts[0].BodyData : m.Data)
                .ToList();
        }
    }

    /// <summary>Waits for the <paramref name="count"/>th mail to <paramref name="to"/> and returns the path and query of its link to <paramref name="path"/>.</summary>
    public async Task<string> LinkAsync(string to, string path, int count = 1)
    {
        var mails = await Eventually.Get(() => Task.FromResult(MessagesTo(to)), m => m.Count >= count, TimeSpan.FromSeconds(20),
            $"mail number {count} to {to}");
        var body = mails[count - 1];
        var match = Link().Matches(body).Select(m => new Uri(m.Value)).FirstOrDefault(u => u.AbsolutePath == path)
                    ?? throw new InvalidOperationException($"No link to {path} in the mail to {to}:\n{body}");
        return match.PathAndQuery;
    }

    public void Dispose() => server.Stop();

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"https?://[^\s]+")]
    private static partial Regex Link();
}
