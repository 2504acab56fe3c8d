namespace TalentMatch.Web.Api;

/// <summary>
/// Circuit-scoped: how many notices of the signed-in user are unread, for the menu's badge. The menu reads it once per
/// page (on each navigation); the notices page sets it from what it reads and after marking all read.
/// </summary>
public sealed class UnreadNotices(IdentityApi identity)
{
    public long? Count { get; private set; }

    /// <summary>Raised when <see cref="Count"/> changes.</summary>
    public event Action? Changed;

    public async Task RefreshAsync(CancellationToken ct = default)
    {
        try
        {
            Set((await identity.NoticesAsync(1, 1, ct)).Unread);
        }
        catch (Exception e) when (e is ApiProblemException or HttpRequestException or OperationCanceledException)
        {
            // No count (signed out, the identity service away): the menu shows the entry without a badge.
        }
    }

    public void Set(long count)
    {
        if (Count != count)
        {
            Count = count;
            Changed?.Invoke();
        }
    }
}
