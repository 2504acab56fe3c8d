using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace TalentMatch.Identity;

/// <summary>Where the account e-mails go out (<c>Mail:</c> section): an SMTP server (smtp4dev in development).</summary>
public sealed class MailOptions
{
    public string SmtpHost { get; set; } = "127.0.0.1";
    public int SmtpPort { get; set; } = 2525;
    public bool UseTls { get; set; }
    public string? Username { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "TalentMatch <no-reply@talentmatch.local>";

    /// <summary>The identity service's address as the recipient's browser reaches it (the links in the mails); unset: the request's.</summary>
    public string? PublicUrl { get; set; }
}

/// <summary>
/// The mails an account receives, in English and Simplified Chinese in one message, sent through MailKit. A mail that
/// cannot be sent is logged (never its link) and does not fail the request: the owner can ask for another one.
/// </summary>
public sealed partial class AccountMail(MailOptions options, ILogger<AccountMail> logger)
{
    public Task ConfirmationAsync(HttpContext http, string to, string userId, string code) => SendAsync(to,
        "Confirm your e-mail address · 确认您的电子邮箱",
        Link(http, "/account/confirm", userId, code),
        "Welcome to TalentMatch. Open this link to confirm your e-mail address; then sign in:",
        "欢迎使用 TalentMatch。请打开以下链接确认您的电子邮箱,然后登录:");

    public Task PasswordResetAsync(HttpContext http, string to, string userId, string code) => SendAsync(to,
        "Reset your TalentMatch password · 重置 TalentMatch 密码",
        Link(http, "/account/reset", userId, code),
        "Someone asked to reset the password of this account. If it was you, open this link within an hour (it works once); otherwise ignore this mail:",
        "有人请求重置此账号的密码。如果是您本人,请在一小时内打开以下链接(仅可使用一次);否则请忽略本邮件:");

    /// <summary>To the owner of an address someone tried to sign up with again (the sign-up itself answers as for a new one).</summary>
    public Task AddressTakenAsync(HttpContext http, string to) => SendAsync(to,
        "Someone tried to sign up with your address · 有人尝试用您的邮箱注册",
        BaseUrl(http) + "/account/forgot",
        "Someone tried to create a TalentMatch account with this e-mail address, which already has one. If it was you, sign in, or reset your password here:",
        "有人尝试用此电子邮箱注册 TalentMatch 账号,但该邮箱已有账号。如果是您本人,请直接登录,或在此重置密码:");

    private Task SendAsync(string to, string subject, string link, string english, string chinese) =>
        SendAsync(to, subject, $"{english}\n\n{link}\n\n{chinese}\n\n{link}\n\n-- TalentMatch\n");

    /// <summary>Sends one plain-text mail; false (and logged) when the server could not take it.</summary>
    public async Task<bool> SendAsync(string to, string subject, string text)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(options.From));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = text };
        try
        {
            using var client = new SmtpClient { Timeout = 10_000 };
            await client.ConnectAsync(options.SmtpHost, options.SmtpPort, options.UseTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None);
            if (!string.IsNullOrEmpty(options.Username))
            {
                await client.AuthenticateAsync(options.Username, options.Password ?? "");
            }

            await client.SendAsync(message);
            await client.DisconnectAsync(quit: true);
            return true;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or SmtpCommandException or SmtpProtocolException
                                       or AuthenticationException or TimeoutException or OperationCanceledException)
        {
            LogNotSent(logger, subject, options.SmtpHost, options.SmtpPort, e);
            return false;
        }
    }

    private string BaseUrl(HttpContext http) =>
        (options.PublicUrl ?? $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}").TrimEnd('/');

    private string Link(HttpContext http, string path, string userId, string code) =>
        $"{BaseUrl(http)}{path}?userId={Uri.EscapeDataString(userId)}&code={Uri.EscapeDataString(code)}";

    [LoggerMessage(Level = LogLevel.Error, Message = "The mail \"{Subject}\" could not be sent through {Host}:{Port}; the owner can ask for it again")]
    private static partial void LogNotSent(ILogger logger, string subject, string host, int port, Exception exception);
}
