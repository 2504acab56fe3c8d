using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace TalentMatch.Identity.Notices;

/// <summary>
/// Sends the notices by e-mail, one mail per account per pass, in English and Simplified Chinese: an HR office's
/// endorsements at the next pass; researchers' recommendations and ambassadors' proposals as a digest, at most once
/// per <see cref="NoticeOptions.DigestInterval"/>. A mail that fails is tried again at the next pass.
/// </summary>
public sealed partial class NoticeMailer(IServiceScopeFactory scopes, NoticeOptions options, AccountMail mail, ILogger<NoticeMailer> logger) : BackgroundService
{
    private long _passes;

    /// <summary>Passes completed since start: what a test waits on before it says a notice was held back.</summary>
    public long Passes => Interlocked.Read(ref _passes);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.PollInterval);
        do
        {
            try
            {
                await SendDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPassFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass: every account's due notices, one mail each. Returns how many mails went out.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDb>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var now = DateTimeOffset.UtcNow;
        var pending = await db.Set<Notice>().Where(n => n.EmailedAt == null).OrderBy(n => n.CreatedAt).ThenBy(n => n.Id).Take(5000).ToListAsync(ct);
        var since = now - options.DigestInterval;
        var digestedRecently = (await db.Set<Notice>().AsNoTracking()
                .Where(n => n.EmailedAt > since && n.Kind != NoticeKind.Endorsement).Select(n => n.AccountId).Distinct().ToListAsync(ct))
            .ToHashSet();
        var sent = 0;
        foreach (var account in pending.GroupBy(n => n.AccountId))
        {
            var due = account.Where(n => n.Kind == NoticeKind.Endorsement || !digestedRecently.Contains(account.Key)).ToList();
            if (due.Count == 0)
            {
                continue;
            }

            var user = await users.FindByIdAsync(account.Key);
            if (user?.Email is { } to && await mail.SendAsync(to, Subject(due), Body(due)))
            {
                sent++;
            }
            else if (user?.Email is not null)
            {
                continue; // not sent: the next pass tries again
            }

            foreach (var notice in due)
            {
                notice.EmailedAt = now;
            }
        }

        await db.SaveChangesAsync(ct);
        Interlocked.Increment(ref _passes);
        return sent;
    }

    private static string Subject(IReadOnlyList<Notice> due) => due.Count == 1
        ? due[0].Kind switch
        {
            NoticeKind.Recommendation => "A new recommended position · 新的推荐职位",
            NoticeKind.Proposal => "A new match to review · 新的待审核匹配",
            _ => "A new endorsed candidate · 新的推荐候选人",
        }
        : $"{due.Count} new notices on TalentMatch · TalentMatch 有 {due.Count} 条新通知";

    private string Body(IReadOnlyList<Notice> due)
    {
        var web = options.WebUrl.TrimEnd('/');
        var text = new StringBuilder();
        foreach (var group in due.GroupBy(n => n.Kind))
        {
            var (english, chinese, link) = group.Key switch
            {
                NoticeKind.Recommendation => ("New positions recommended to you", "新推荐给您的职位", web + "/recommendations"),
                NoticeKind.Proposal => ("New matches waiting for your review", "等待您审核的新匹配", web + "/reviews"),
                _ => ("Candidates newly endorsed for your positions", "新推荐到您职位的候选人", web + "/positions"),
            };
            text.Append($"{english}: {group.Count()}\n{link}\n{chinese}:{group.Count()}\n{link}\n\n");
        }

        text.Append($"Turn these mails off in the web app under Notices. 可在网页应用的“通知”中关闭这些邮件。\n{web}/notices\n\n-- TalentMatch\n");
        return text.ToString();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A pass of the notice mailer failed; the notices stay pending for the next pass")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
