using System.Net;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Mvc.Testing;
using TalentMatch.Web.Components.Layout;
using TalentMatch.Web.Localization;

namespace TalentMatch.Web.Tests;

public sealed class LanguageSwitchTests : WebTest
{
    public LanguageSwitchTests() => this.AddWebServices();

    [Fact]
    public void Choosing_chinese_goes_through_the_culture_endpoint_and_back_to_the_same_page()
    {
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo("/reviews?status=held");
        var languages = Render<LanguageSwitch>();
        languages.Find("[data-testid=lang-zh-CN]").Click();
        Assert.Equal("http://localhost/culture/set?culture=zh-CN&redirectUri=%2Freviews%3Fstatus%3Dheld", navigation.Uri);
    }

    [Fact]
    public void The_current_language_is_marked()
    {
        using var _ = TestSetup.Culture("zh-CN");
        var languages = Render<LanguageSwitch>();
        Assert.Equal("true", languages.Find("[data-testid=lang-zh-CN]").GetAttribute("aria-current"));
        Assert.Null(languages.Find("[data-testid=lang-en]").GetAttribute("aria-current"));
    }

    [Theory]
    [InlineData("/reviews", true)]
    [InlineData("/", true)]
    [InlineData("//evil.example", false)]
    [InlineData("/\\evil.example", false)]
    [InlineData("https://evil.example/", false)]
    [InlineData("reviews", false)]
    [InlineData("", false)]
    public void Only_local_redirects_are_followed(string uri, bool local) => Assert.Equal(local, Cultures.IsLocalRedirect(uri));
}

/// <summary>The culture endpoint and the remembered choice, through the real pipeline.</summary>
public sealed class CultureEndpointTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    private HttpClient Client() => factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    [Fact]
    public async Task The_choice_is_stored_in_the_culture_cookie_and_the_user_goes_back()
    {
        using var response = await Client().GetAsync("/culture/set?culture=zh-CN&redirectUri=%2Freviews");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/reviews", response.Headers.Location!.OriginalString);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".AspNetCore.Culture=", StringComparison.Ordinal));
        Assert.Contains("zh-CN", Uri.UnescapeDataString(cookie));
    }

    [Fact]
    public async Task A_foreign_redirect_goes_home_instead()
    {
        using var response = await Client().GetAsync("/culture/set?culture=en&redirectUri=%2F%2Fevil.example%2F");
        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task An_unknown_language_is_refused_naming_the_field()
    {
        using var response = await Client().GetAsync("/culture/set?culture=xx&redirectUri=%2F");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"culture\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_remembered_language_is_used_for_the_page()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("Cookie", ".AspNetCore.Culture=c%3Dzh-CN%7Cuic%3Dzh-CN");
        using var response = await Client().SendAsync(request);
        Assert.Contains("<html lang=\"zh-CN\">", await response.Content.ReadAsStringAsync());
    }
}
