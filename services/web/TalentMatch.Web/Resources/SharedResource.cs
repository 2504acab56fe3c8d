namespace TalentMatch.Web.Resources;

/// <summary>The marker type of the shared resource files (SharedResource.resx, SharedResource.zh-CN.resx).</summary>
public sealed class SharedResource;
