namespace TalentMatch.Identity.Notices;

/// <summary>What a notice tells: a researcher of a new recommendation, an ambassador of a new proposal, an HR office of an endorsement.</summary>
public enum NoticeKind { Recommendation = 0, Proposal = 1, Endorsement = 2 }

/// <summary>One notice for one account, shown in the web app and sent by e-mail (researchers and ambassadors at most daily, as a digest).</summary>
public sealed class Notice
{
    public long Id { get; set; }
    public required string AccountId { get; set; }
    public NoticeKind Kind { get; set; }
    public Guid PositionId { get; set; }
    public Guid MatchId { get; set; }
    public double Score { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When it went out by e-mail (or was settled without a mail: the account has no address any more).</summary>
    public DateTimeOffset? EmailedAt { get; set; }

    public DateTimeOffset? ReadAt { get; set; }
}

/// <summary>Which notices an account wants (every kind unless it turned one off).</summary>
public sealed class NoticeSettings
{
    public required string AccountId { get; set; }
    public bool Recommendations { get; set; } = true;
    public bool Proposals { get; set; } = true;
    public bool Endorsements { get; set; } = true;

    public bool Wants(NoticeKind kind) => kind switch
    {
        NoticeKind.Recommendation => Recommendations,
        NoticeKind.Proposal => Proposals,
        _ => Endorsements,
    };
}

/// <summary>Identity's copy of who is appointed to which campaign's positions (from <c>CampaignChanged</c>), to notify them.</summary>
public sealed class CampaignAppointments
{
    public Guid CampaignId { get; set; }
    public long Version { get; set; }
    public Guid[] PositionIds { get; set; } = [];
    public Guid[] AmbassadorIds { get; set; } = [];
}

/// <summary>The <c>Notices:</c> section.</summary>
public sealed class NoticeOptions
{
    /// <summary>A proposal tells the researcher only when the model scored the pair at least this high.</summary>
    public double RecommendationScoreThreshold { get; set; }

    /// <summary>Researchers and ambassadors get at most one mail per this interval (a digest of what came since).</summary>
    public TimeSpan DigestInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often the mailer looks for notices to send.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The web app's address as recipients reach it, for the links in the mails.</summary>
    public string WebUrl { get; set; } = "http://127.0.0.1:5104";
}
