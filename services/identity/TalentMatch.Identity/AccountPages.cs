using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Localization;
using OpenIddict.Abstractions;
using static TalentMatch.Identity.LoginPage;

namespace TalentMatch.Identity;

public sealed record PasswordResetRequest(string? Email);

/// <summary>
/// E-mail confirmation and password reset: the pages the links in <see cref="AccountMail"/> open, the "forgot my
/// password" form, and <c>POST /api/auth/password-reset</c> for the web app. Asking for a reset answers the same
/// whether or not the address has an account; a reset link works once (it is bound to the security stamp, which the
/// reset changes) and for an hour; a reset ends every sign-in of the account.
/// </summary>
public static class AccountPages
{
    public static IEndpointRouteBuilder MapAccountPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/account/confirm", Confirm).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/account/forgot", (HttpContext http, IAntiforgery antiforgery, IStringLocalizer<LoginText> text) => ForgotForm(http, antiforgery, text, null))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/account/forgot", ForgotSubmit).AllowAnonymous().DisableAntiforgery().RequireRateLimiting(AccountsApi.AuthRateLimit).ExcludeFromDescription();
        app.MapGet("/account/reset", (HttpContext http, IAntiforgery antiforgery, IStringLocalizer<LoginText> text, string? userId, string? code) =>
                ResetForm(http, antiforgery, text, userId, code, null, StatusCodes.Status200OK))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/account/reset", ResetSubmit).AllowAnonymous().DisableAntiforgery().RequireRateLimiting(AccountsApi.AuthRateLimit).ExcludeFromDescription();
        app.MapPost("/api/auth/password-reset", RequestReset).AllowAnonymous().RequireRateLimiting(AccountsApi.AuthRateLimit).WithTags("Auth")
            .WithName("RequestPasswordReset").Produces<SignUpAccepted>(StatusCodes.Status202Accepted)
            .WithSummary("Sends a password-reset link to the address if it has an account; the answer is the same either way. Rate-limited per client address.");
        return app;
    }

    private static async Task<IResult> Confirm(
        HttpContext http, UserManager<IdentityUser> users, IStringLocalizer<LoginText> text, ClientOptions clients, string? userId, string? code)
    {
        var user = userId is { Length: <= 100 } && code is { Length: <= 2000 } ? await users.FindByIdAsync(userId) : null;
        var confirmed = user is not null && (await users.ConfirmEmailAsync(user, code!)).Succeeded;
        if (!confirmed)
        {
            return Message(http, text, "LinkInvalidTitle", "LinkInvalid", StatusCodes.Status400BadRequest);
        }

        // Signing in from here starts in the web app (its sign-in comes back to the app), when the web app is registered.
        var signIn = clients.Web.Secret is null ? "/account/login" : clients.Web.BaseUrl.TrimEnd('/') + "/account/login?returnUrl=%2Fprofile";
        return Html(http, text["ConfirmedTitle"],
            $"<main><h1>{Encode(text["ConfirmedTitle"])}</h1><p>{Encode(text["Confirmed"])}</p><p><a href=\"{Encode(signIn)}\">{Encode(text["SignIn"])}</a></p></main>",
            StatusCodes.Status200OK);
    }

    private static async Task<IResult> RequestReset(PasswordResetRequest request, HttpContext http, UserManager<IdentityUser> users, AccountMail mail)
    {
        if (!Hosting.Web.CommonRules.IsDeliverableEmail(request.Email))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["email"] = [Hosting.Web.CommonRules.EmailMessage] });
        }

        await SendResetAsync(http, users, mail, request.Email!.Trim());
        return TypedResults.Accepted((string?)null, new SignUpAccepted("accepted", "If this address has an account, a reset link is on its way."));
    }

    private static async Task SendResetAsync(HttpContext http, UserManager<IdentityUser> users, AccountMail mail, string email)
    {
        if (await users.FindByEmailAsync(email) is { } user)
        {
            await mail.PasswordResetAsync(http, user.Email!, user.Id, await users.GeneratePasswordResetTokenAsync(user));
        }
    }

    private static IResult ForgotForm(HttpContext http, IAntiforgery antiforgery, IStringLocalizer<LoginText> text, string? notice)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        var body = $"""
            <main><h1>{Encode(text["ForgotTitle"])}</h1>
            {(notice is null ? "" : $"<p role=\"status\">{Encode(notice)}</p>")}
            <form method="post" action="/account/forgot">
              <input type="hidden" name="{Encode(tokens.FormFieldName)}" value="{Encode(tokens.RequestToken ?? "")}">
              <label for="email">{Encode(text["Email"])}</label>
              <input id="email" name="Email" type="email" autocomplete="username" required>
              <button type="submit">{Encode(text["SendLink"])}</button>
            </form>
            <p><a href="/account/login">{Encode(text["BackToSignIn"])}</a></p></main>
            """;
        return Html(http, text["ForgotTitle"], body, StatusCodes.Status200OK);
    }

    private static async Task<IResult> ForgotSubmit(
        HttpContext http, IAntiforgery antiforgery, IStringLocalizer<LoginText> text, UserManager<IdentityUser> users, AccountMail mail)
    {
        if (!http.Request.HasFormContentType)
        {
            return NotAForm();
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return ForgotForm(http, antiforgery, text, text["Expired"]);
        }

        var email = form["Email"].ToString().Trim();
        if (Hosting.Web.CommonRules.IsDeliverableEmail(email))
        {
            await SendResetAsync(http, users, mail, email);
        }

        return ForgotForm(http, antiforgery, text, text["ResetSent"]);
    }

    private static IResult ResetForm(HttpContext http, IAntiforgery antiforgery, IStringLocalizer<LoginText> text, string? userId, string? code, string? error, int status)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        var described = error is null ? "" : " aria-describedby=\"error\" aria-invalid=\"true\"";
        var body = $"""
            <main><h1>{Encode(text["ResetTitle"])}</h1>
            {(error is null ? "" : $"<p id=\"error\" role=\"alert\" class=\"error\">{Encode(error)}</p>")}
            <form method="post" action="/account/reset">
              <input type="hidden" name="{Encode(tokens.FormFieldName)}" value="{Encode(tokens.RequestToken ?? "")}">
              <input type="hidden" name="UserId" value="{Encode(userId ?? "")}">
              <input type="hidden" name="Code" value="{Encode(code ?? "")}">
              <label for="password">{Encode(text["NewPassword"])}</label>
              <input id="password" name="Password" type="password" autocomplete="new-password" minlength="12" required{described}>
              <button type="submit">{Encode(text["SetPassword"])}</button>
            </form></main>
            """;
        return Html(http, text["ResetTitle"], body, status);
    }

    private static async Task<IResult> ResetSubmit(
        HttpContext http, IAntiforgery antiforgery, IStringLocalizer<LoginText> text, UserManager<IdentityUser> users,
        IOpenIddictTokenManager tokens, IOpenIddictAuthorizationManager authorizations)
    {
        if (!http.Request.HasFormContentType)
        {
            return NotAForm();
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        string userId = form["UserId"].ToString(), code = form["Code"].ToString(), password = form["Password"].ToString();
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return ResetForm(http, antiforgery, text, userId, code, text["Expired"], StatusCodes.Status400BadRequest);
        }

        if (password.Length > 1024)
        {
            return ResetForm(http, antiforgery, text, userId, code, text["PasswordRule"], StatusCodes.Status400BadRequest);
        }

        var user = userId.Length <= 100 && code.Length <= 2000 ? await users.FindByIdAsync(userId) : null;
        if (user is null)
        {
            return Message(http, text, "LinkInvalidTitle", "LinkInvalid", StatusCodes.Status400BadRequest);
        }

        var reset = await users.ResetPasswordAsync(user, code, password);
        if (!reset.Succeeded)
        {
            return reset.Errors.Any(e => e.Code == "InvalidToken")
                ? Message(http, text, "LinkInvalidTitle", "LinkInvalid", StatusCodes.Status400BadRequest)
                : ResetForm(http, antiforgery, text, userId, code, text["PasswordRule"], StatusCodes.Status400BadRequest);
        }

        // The link proved the mailbox: the address is confirmed too. Every earlier sign-in ends.
        if (!user.EmailConfirmed)
        {
            user.EmailConfirmed = true;
            await users.UpdateAsync(user);
        }

        await OpenIdProvider.RevokeAllAsync(tokens, authorizations, user.Id, http.RequestAborted);
        return Message(http, text, "ResetDoneTitle", "ResetDone", StatusCodes.Status200OK);
    }

    private static IResult Message(HttpContext http, IStringLocalizer<LoginText> text, string title, string message, int status) =>
        Html(http, text[title], $"<main><h1>{Encode(text[title])}</h1><p>{Encode(text[message])}</p><p><a href=\"/account/login\">{Encode(text["BackToSignIn"])}</a></p></main>", status);
}
