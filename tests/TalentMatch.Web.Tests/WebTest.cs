namespace TalentMatch.Web.Tests;

/// <summary>
/// A bUnit context for xunit 2, which disposes test classes synchronously: MudBlazor's services can only be
/// disposed asynchronously, so Dispose waits for DisposeAsync.
/// </summary>
public abstract class WebTest : BunitContext, IDisposable
{
    void IDisposable.Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
