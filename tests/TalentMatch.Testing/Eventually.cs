namespace TalentMatch.Testing;

/// <summary>Polls until a condition holds, with a bounded wait; asynchronous flows are asserted this way.</summary>
public static class Eventually
{
    public static async Task<T> Get<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        T last;
        while (true)
        {
            last = await probe();
            if (done(last))
            {
                return last;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}. Last observed: {last}");
            }

            await Task.Delay(100);
        }
    }

    public static Task True(Func<Task<bool>> probe, TimeSpan timeout, string what) =>
        Get(probe, ok => ok, timeout, what);
}
