using System.Net;
using System.Net.Http.Json;
using TalentMatch.Testing;

namespace TalentMatch.Identity.Tests;

/// <summary>
/// The account mails through a real SMTP server: e-mail confirmation on sign-up, the notice to an address that already
/// has an account, and password reset (single-use link, same answer for unknown addresses, every sign-in ends).
/// </summary>
public sealed class AccountMailTests(IdentityHost host) : IClassFixture<IdentityHost>
{
    private const string Password = "the-right-password-01";

    private static string NewEmail() => $"mail.{Guid.NewGuid():N}@example.org";

    [Fact]
    public async Task A_new_account_signs_in_only_after_opening_the_link_it_was_mailed()
    {
        var email = NewEmail();
        Assert.Equal(HttpStatusCode.Accepted, (await host.From("10.3.0.1").PostAsJsonAsync("/api/auth/signup", new { email, password = Password })).StatusCode);
        var first = await host.Mailbox.LinkAsync(email, "/account/confirm");

        // Before confirming: the right password is refused with a hint, and a fresh link goes out.
        var early = await OidcFlow.SubmitLoginAsync(host.From("10.3.0.1"), email, Password);
        Assert.Equal(HttpStatusCode.Forbidden, early.StatusCode);
        Assert.Contains("confirm your e-mail address", await early.Content.ReadAsStringAsync());
        var second = await host.Mailbox.LinkAsync(email, "/account/confirm", count: 2);

        // A link whose code was tampered with is refused; the mailed one confirms, and then sign-in works.
        Assert.Equal(HttpStatusCode.BadRequest, (await host.From("10.3.0.1").GetAsync(second.Replace("code=", "code=x"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.From("10.3.0.1").GetAsync(second)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await OidcFlow.SubmitLoginAsync(host.From("10.3.0.1"), email, Password)).StatusCode);
        Assert.NotEqual(first, second);

        // The mail is in both languages.
        var mail = host.Mailbox.MessagesTo(email)[0];
        Assert.Contains("confirm your e-mail address", mail);
        Assert.Contains("确认您的电子邮箱", mail);
    }

    [Fact]
    public async Task Signing_up_again_with_a_taken_address_mails_its_owner_instead_of_a_confirmation()
    {
        var email = NewEmail();
        await host.SignUpAndConfirmAsync(email, Password, address: "10.3.0.2");
        Assert.Equal(HttpStatusCode.Accepted, (await host.From("10.3.0.3").PostAsJsonAsync("/api/auth/signup", new { email, password = "another-password-0002" })).StatusCode);

        await host.Mailbox.LinkAsync(email, "/account/forgot", count: 2);
        var notice = host.Mailbox.MessagesTo(email)[1];
        Assert.Contains("already has one", notice);
        Assert.DoesNotContain("/account/confirm", notice);
    }

    [Fact]
    public async Task A_reset_link_sets_a_new_password_once_ends_every_sign_in_and_unknown_addresses_get_the_same_answer()
    {
        var email = NewEmail();
        await host.SignUpAndConfirmAsync(email, Password, address: "10.3.0.4");
        var session = await OidcFlow.SignInAsync(host.From("10.3.0.4"), email, Password);

        // Unknown first, then known: when the known address's mail has arrived, the unknown one's would have too.
        var nobody = NewEmail();
        var unknown = await host.From("10.3.0.5").PostAsJsonAsync("/api/auth/password-reset", new { email = nobody });
        var known = await host.From("10.3.0.5").PostAsJsonAsync("/api/auth/password-reset", new { email });
        Assert.Equal(HttpStatusCode.Accepted, known.StatusCode);
        Assert.Equal(unknown.StatusCode, known.StatusCode);
        Assert.Equal(await unknown.Content.ReadAsStringAsync(), await known.Content.ReadAsStringAsync());
        var link = await host.Mailbox.LinkAsync(email, "/account/reset", count: 2);
        Assert.Empty(host.Mailbox.MessagesTo(nobody));
        Assert.Equal(HttpStatusCode.BadRequest,
            (await host.From("10.3.0.5").PostAsJsonAsync("/api/auth/password-reset", new { email = "not-an-address" })).StatusCode);

        // A password that breaks the rule is refused on the form and changes nothing.
        var browser = host.From("10.3.0.6");
        var weak = await OidcFlow.SubmitFormAsync(browser, link, "/account/reset", new() { ["Password"] = "short" });
        Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
        Assert.Contains("aria-invalid=\"true\"", await weak.Content.ReadAsStringAsync());

        const string newPassword = "a-brand-new-password-03";
        Assert.Equal(HttpStatusCode.OK, (await OidcFlow.SubmitFormAsync(browser, link, "/account/reset", new() { ["Password"] = newPassword })).StatusCode);
        var again = await OidcFlow.SubmitFormAsync(host.From("10.3.0.7"), link, "/account/reset", new() { ["Password"] = "a-third-password-0004" });
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await OidcFlow.SubmitLoginAsync(host.From("10.3.0.8"), email, Password)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await OidcFlow.SubmitLoginAsync(host.From("10.3.0.8"), email, newPassword)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await OidcFlow.TryRefreshAsync(host.CreateClient(), session.RefreshToken!)).StatusCode);
    }

    [Fact]
    public async Task The_forgot_password_form_answers_the_same_for_any_address_and_mails_only_an_account()
    {
        var email = NewEmail();
        await host.SignUpAndConfirmAsync(email, Password, address: "10.3.0.9");
        var nobody = NewEmail();
        var forUnknown = await OidcFlow.SubmitFormAsync(host.From("10.3.0.10"), "/account/forgot", "/account/forgot", new() { ["Email"] = nobody });
        var forKnown = await OidcFlow.SubmitFormAsync(host.From("10.3.0.10"), "/account/forgot", "/account/forgot", new() { ["Email"] = email });
        Assert.Equal(HttpStatusCode.OK, forKnown.StatusCode);
        Assert.Equal(forUnknown.StatusCode, forKnown.StatusCode);
        Assert.Contains("reset link is on its way", await forKnown.Content.ReadAsStringAsync());
        await host.Mailbox.LinkAsync(email, "/account/reset", count: 2);
        Assert.Empty(host.Mailbox.MessagesTo(nobody));
    }
}
