using System.Globalization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.Localization;
using MudBlazor.Services;
using TalentMatch.Web.Api;
using TalentMatch.Web.Auth;
using TalentMatch.Web.Components;
using TalentMatch.Web.Localization;

namespace TalentMatch.Web;

public static class WebSetup
{
    public static WebApplicationBuilder AddTalentMatchWeb(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // Run from the build output (deploy/up.sh, the tests) in any environment, the app's and MudBlazor's static
        // files (blazor.web.js, MudBlazor.min.css/js) come from the static web assets manifest; a published app has
        // them in wwwroot and no manifest, so this does nothing there.
        builder.WebHost.UseStaticWebAssets();
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddLocalization();
        services.Configure<RequestLocalizationOptions>(o =>
        {
            var cultures = Cultures.Supported.Select(c => new CultureInfo(c)).ToList();
            o.DefaultRequestCulture = new RequestCulture(Cultures.Default);
            o.SupportedCultures = cultures;
            o.SupportedUICultures = cultures;
            // The remembered choice (culture cookie) wins over the browser's Accept-Language.
            o.RequestCultureProviders = [new CookieRequestCultureProvider(), new AcceptLanguageHeaderRequestCultureProvider()];
        });

        services.AddPlatformSignIn(builder.Configuration, builder.Environment);

        // Circuit-scoped access to the signed-in session for outgoing API calls (see AccessTokenHandler).
        services.AddScoped<CircuitServicesAccessor>();
        services.AddScoped<CircuitHandler, ServicesAccessorCircuitHandler>();
        services.AddScoped<CircuitTokenHolder>();
        services.AddScoped<CircuitHandler, TokenHolderCircuitHandler>();
        services.AddApiClients(builder.Configuration);
        return builder;
    }

    public static WebApplication UseTalentMatchWeb(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        }

        // An unknown address gets the app's own "page not found" (still answered 404).
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseRequestLocalization();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapStaticAssets();
        // The web app has no database or broker of its own: it is ready as soon as it runs.
        app.MapGet("/health/live", () => Results.Text("Healthy")).AllowAnonymous();
        app.MapGet("/health/ready", () => Results.Text("Healthy")).AllowAnonymous();
        app.MapCultureEndpoint();
        app.MapAccountEndpoints();
        app.MapCampaignDownloads();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
