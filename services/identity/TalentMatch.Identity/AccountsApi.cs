using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenIddict.Abstractions;
using TalentMatch.Contracts.Identity;
using TalentMatch.Hosting.Auth;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Hosting.Web;
using TalentMatch.ReferenceData;

namespace TalentMatch.Identity;

/// <param name="DisplayName">How the account is named where it acts (decisions, outcomes); defaults to the e-mail address.</param>
public sealed record SignUpRequest(string? Email, string? Password, string? DisplayName = null);

/// <param name="Role">hr, ambassador or admin.</param>
/// <param name="InstitutionIds">One institution for an HR office; the ambassador's scope.</param>
public sealed record CreateAccountRequest(string? Email, string? Password, string? Role, IReadOnlyList<Guid>? InstitutionIds, string? DisplayName = null);

/// <summary>A new role and scope for an account; effective at its next token refresh.</summary>
public sealed record ChangeRoleRequest(string? Role, IReadOnlyList<Guid>? InstitutionIds);

public sealed record AccountResponse(string UserId, string Role, IReadOnlyList<Guid> Institutions);

public sealed record AccountSummary(string UserId, string Email, string DisplayName, string Role, IReadOnlyList<Guid> Institutions, bool Disabled, bool EmailConfirmed);

/// <summary>The answer to every sign-up that passed validation, whether or not the address already had an account.</summary>
public sealed record SignUpAccepted(string Status, string Message);

public sealed class RateLimitOptions
{
    public int PermitLimit { get; set; } = 10;
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Lock-out and back-off of password guessing (<c>SignIn:</c> section).</summary>
public sealed class SignInProtectionOptions
{
    /// <summary>Failures for one e-mail address from one client address that lock that client address out of it.</summary>
    public int MaxFailuresPerAddress { get; set; } = 5;

    /// <summary>How long failures count (and a client address stays locked out) after the last one.</summary>
    public TimeSpan LockoutPeriod { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Failures for one e-mail address from all client addresses after which every attempt waits a growing delay.</summary>
    public int AccountFailuresBeforeDelay { get; set; } = 10;

    /// <summary>The longest delay: a legitimate user never waits longer than this, whoever attacks the account.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(5);
}

public static partial class AccountsApi
{
    public const string AuthRateLimit = "auth";

    public static WebApplicationBuilder AddAccounts(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<PasswordHasherOptions>(o =>
        {
            o.CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3; // PBKDF2 with HMAC-SHA512
            o.IterationCount = 210_000;
        });
        builder.Services
            .AddIdentityCore<IdentityUser>(o =>
            {
                o.Password.RequiredLength = 12;
                // Length over composition rules (NIST SP 800-63B).
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.User.RequireUniqueEmail = true;
                // Identity's lock-out is per account: anyone who knows an address could lock its owner out. Failures are
                // counted per account and client address instead (SignInGuard).
                o.Lockout.AllowedForNewUsers = false;
            })
            .AddEntityFrameworkStores<IdentityDb>()
            .AddDefaultTokenProviders();
        // Confirmation and reset links work for an hour (a reset link also only once: it is bound to the security stamp).
        builder.Services.Configure<DataProtectionTokenProviderOptions>(o => o.TokenLifespan = TimeSpan.FromHours(1));
        builder.Services.AddSingleton(builder.Configuration.GetSection("Mail").Get<MailOptions>() ?? new MailOptions());
        builder.Services.AddSingleton<AccountMail>();
        builder.Services.AddSingleton(new RequireConfirmedEmail(builder.Configuration.GetValue("Auth:RequireConfirmedEmail", true)));
        builder.Services.AddSingleton(builder.Configuration.GetSection("SignIn").Get<SignInProtectionOptions>() ?? new SignInProtectionOptions());
        builder.Services.AddSingleton(Institutions.Load());
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddScoped<SignInGuard>();
        var limits = builder.Configuration.GetSection("RateLimit").Get<RateLimitOptions>() ?? new RateLimitOptions();
        builder.Services.AddRateLimiter(o =>
        {
            o.AddPolicy(AuthRateLimit, http => RateLimitPartition.GetFixedWindowLimiter(
                SignInGuard.ClientAddress(http),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = limits.PermitLimit, Window = limits.Window, QueueLimit = 0 }));
            o.OnRejected = async (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : limits.Window;
                context.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString();
                await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = { Status = 429, Title = "Too many attempts from this address; retry later." },
                });
            };
        });
        builder.Services.AddHostedService<AdminSeeder>();
        return builder;
    }

    public static IEndpointRouteBuilder MapAccountsApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Auth");
        auth.MapPost("/signup", SignUp).AllowAnonymous().RequireRateLimiting(AuthRateLimit).WithName("SignUp")
            .Produces<SignUpAccepted>(StatusCodes.Status202Accepted)
            .WithSummary("Creates a researcher account (password of at least 12 characters); then sign in through the provider (/connect/authorize). The answer is the same whether or not the address already has an account. Rate-limited per client address.");
        var accounts = app.MapGroup("/api/accounts").WithTags("Accounts");
        accounts.MapPost("/", Create).RequireAuthorization(PlatformAuthentication.AdminPolicy).WithName("CreateAccount")
            .WithSummary("An administrator creates an HR office (one institution), an ambassador (a set of institutions) or another administrator.");
        accounts.MapGet("/", List).RequireAuthorization(PlatformAuthentication.AdminPolicy).WithName("ListAccounts")
            .WithSummary("Accounts, paged, optionally searched by e-mail address or display name and filtered by role.");
        accounts.MapPut("/{id}/role", ChangeRole).RequireAuthorization(PlatformAuthentication.AdminPolicy).WithName("ChangeAccountRole")
            .WithSummary("Changes an HR office's or ambassador's role and institutions; the account's tokens carry it from their next refresh, without signing in again.");
        accounts.MapPost("/{id}/disable", Disable).RequireAuthorization(PlatformAuthentication.AdminPolicy).WithName("DisableAccount")
            .WithSummary("Disables an account: it cannot sign in, and its refresh tokens are revoked at once.");
        accounts.MapPost("/{id}/enable", Enable).RequireAuthorization(PlatformAuthentication.AdminPolicy).WithName("EnableAccount")
            .WithSummary("Re-enables a disabled account (it signs in again).");
        accounts.MapGet("/me", Me).WithName("GetMyAccount").WithSummary("Who the token belongs to.");
        accounts.MapDelete("/me", DeleteMe).WithName("DeleteMyAccount")
            .WithSummary("Deletes your account: its tokens stop working on every service at once, and your profile is erased as DELETE /api/profiles/{id} erases it.");
        return app;
    }

    /// <summary>
    /// A taken address gets the answer a fresh one gets (202, same body) and nothing changes for its account, so
    /// sign-up does not tell who has an account; its owner gets an e-mail notice (a new address gets its confirmation
    /// link), and the attempt is logged under the account id.
    /// </summary>
    private static async Task<IResult> SignUp(SignUpRequest request, HttpContext http, UserManager<IdentityUser> users, AccountMail mail, ILogger<SignUpAccepted> logger)
    {
        var created = await CreateUserAsync(users, request.Email, request.Password, Roles.Researcher, [], request.DisplayName);
        if (created.Problem is not null)
        {
            return created.Problem;
        }

        if (created.Existing is { } existing)
        {
            LogSignUpForExistingAccount(logger, existing.Id);
            await mail.AddressTakenAsync(http, existing.Email!);
        }
        else
        {
            await mail.ConfirmationAsync(http, created.User!.Email!, created.User.Id, await users.GenerateEmailConfirmationTokenAsync(created.User));
        }

        return TypedResults.Accepted((string?)null, new SignUpAccepted("accepted",
            "Sign-up received. Open the link we sent to this address to confirm it, then sign in."));
    }

    [LoggerMessage(Level = LogLevel.Information, EventName = "SignUpForExistingAccount",
        Message = "Sign-up with the e-mail address of existing account {AccountId}: answered as a new sign-up, account unchanged, owner notified by e-mail")]
    private static partial void LogSignUpForExistingAccount(ILogger logger, string accountId);

    /// <summary>Role and scope rules shared by creation and change: an HR office has one institution, an ambassador some.</summary>
    private static Dictionary<string, string[]> CheckRole(string? role, IReadOnlyList<Guid> institutions, Institutions known)
    {
        var errors = new Dictionary<string, string[]>();
        if (institutions.Any(i => !known.TryGet(i, out _)))
        {
            errors["institutionIds"] = ["Unknown institution; see GET /api/institutions on the positions service."];
        }

        switch (role)
        {
            case Roles.Hr when institutions.Count != 1:
                errors["institutionIds"] = ["An HR office belongs to exactly one institution."];
                break;
            case Roles.Ambassador when institutions.Count == 0:
                errors["institutionIds"] = ["An ambassador needs at least one institution in scope."];
                break;
            case Roles.Hr or Roles.Ambassador or Roles.Admin:
                break;
            default:
                errors["role"] = ["Use hr, ambassador or admin (researchers sign up themselves)."];
                break;
        }

        return errors;
    }

    private static async Task<IResult> Create(CreateAccountRequest request, UserManager<IdentityUser> users, Institutions known)
    {
        var institutions = request.InstitutionIds ?? [];
        if (CheckRole(request.Role, institutions, known) is { Count: > 0 } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        // An administrator may learn that an address is taken.
        var created = await CreateUserAsync(users, request.Email, request.Password, request.Role!, institutions, request.DisplayName);
        return created switch
        {
            { Problem: { } problem } => problem,
            { Existing: not null } => TypedResults.Problem(statusCode: 409, title: "An account with this e-mail address already exists."),
            _ => TypedResults.Created("/api/accounts/" + created.User!.Id, new AccountResponse(created.User.Id, request.Role!, institutions)),
        };
    }

    private static async Task<IResult> List(
        UserManager<IdentityUser> users, IdentityDb db, string? search, string? role, int? page, int? pageSize, CancellationToken ct)
    {
        if (!PageRequest.TryRead(page, pageSize, out var paging, out var problem))
        {
            return problem!;
        }

        if (role is not null && !Roles.All.Contains(role))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["role"] = ["Use researcher, hr, ambassador or admin."] });
        }

        var query = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim().ToUpperInvariant();
            var named = db.UserClaims.Where(c => c.ClaimType == PlatformClaims.Name && c.ClaimValue!.ToUpper().Contains(term)).Select(c => c.UserId);
            query = query.Where(u => u.NormalizedEmail!.Contains(term) || named.Contains(u.Id));
        }

        if (role is not null)
        {
            var inRole = db.UserClaims.Where(c => c.ClaimType == PlatformClaims.Role && c.ClaimValue == role).Select(c => c.UserId);
            query = query.Where(u => inRole.Contains(u.Id));
        }

        var total = await query.LongCountAsync(ct);
        var found = await query.OrderBy(u => u.NormalizedEmail).ThenBy(u => u.Id).Skip(paging.Skip).Take(paging.PageSize).ToListAsync(ct);
        var items = new List<AccountSummary>(found.Count);
        foreach (var user in found)
        {
            var account = await Accounts.ReadAsync(users, user);
            items.Add(new AccountSummary(user.Id, user.Email ?? "", account.DisplayName, account.Role, account.Institutions,
                await users.IsLockedOutAsync(user), user.EmailConfirmed));
        }

        return TypedResults.Ok(new Page<AccountSummary>(items, paging.PageNumber, paging.PageSize, total));
    }

    private static async Task<IResult> ChangeRole(string id, ChangeRoleRequest request, UserManager<IdentityUser> users, Institutions known)
    {
        if (await users.FindByIdAsync(id) is not { } user)
        {
            return TypedResults.Problem(statusCode: 404, title: "No such account.");
        }

        var institutions = request.InstitutionIds ?? [];
        if (CheckRole(request.Role, institutions, known) is { Count: > 0 } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var current = await Accounts.ReadAsync(users, user);
        if (current.Role == Roles.Researcher)
        {
            // A researcher's account id is their profile's id: it stays a researcher's.
            return TypedResults.Problem(statusCode: 409, title: "A researcher's account keeps its role.");
        }

        var claims = await users.GetClaimsAsync(user);
        await users.RemoveClaimsAsync(user, claims.Where(c => c.Type is PlatformClaims.Role or PlatformClaims.Institution));
        await users.AddClaimsAsync(user, [new Claim(PlatformClaims.Role, request.Role!), .. institutions.Distinct().Select(i => new Claim(PlatformClaims.Institution, i.ToString()))]);
        return TypedResults.Ok(new AccountResponse(user.Id, request.Role!, institutions.Distinct().ToList()));
    }

    private static async Task<IResult> Disable(
        string id, ClaimsPrincipal principal, UserManager<IdentityUser> users, IOpenIddictTokenManager tokens, IOpenIddictAuthorizationManager authorizations, CancellationToken ct)
    {
        if (await users.FindByIdAsync(id) is not { } user)
        {
            return TypedResults.Problem(statusCode: 404, title: "No such account.");
        }

        if (user.Id == principal.UserId())
        {
            return TypedResults.Problem(statusCode: 409, title: "You cannot disable your own account.");
        }

        await users.SetLockoutEnabledAsync(user, true);
        await users.SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue);
        await users.UpdateSecurityStampAsync(user); // a sign-in session or refresh token issued before no longer works
        await OpenIdProvider.RevokeAllAsync(tokens, authorizations, user.Id, ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> Enable(string id, UserManager<IdentityUser> users)
    {
        if (await users.FindByIdAsync(id) is not { } user)
        {
            return TypedResults.Problem(statusCode: 404, title: "No such account.");
        }

        await users.SetLockoutEndDateAsync(user, null);
        await users.SetLockoutEnabledAsync(user, false);
        return TypedResults.NoContent();
    }

    private static IResult Me(ClaimsPrincipal principal) =>
        TypedResults.Ok(new AccountResponse(principal.UserId()!, Roles.All.FirstOrDefault(principal.IsInRole) ?? "", principal.Institutions().ToList()));

    /// <summary>
    /// Deletes the account, revokes its tokens (here at once; the other services learn it from <see cref="AccountDeleted"/>
    /// within moments) and, through the same event, has profiles erase the researcher's profile. One transaction: the
    /// account is never gone without the event that revokes its tokens elsewhere.
    /// </summary>
    private static async Task<IResult> DeleteMe(
        ClaimsPrincipal principal, UserManager<IdentityUser> users, IdentityDb db, TokenRevocations revocations,
        IOpenIddictTokenManager tokens, IOpenIddictAuthorizationManager authorizations, CancellationToken ct)
    {
        if (principal.UserId() is not { } id || await users.FindByIdAsync(id) is not { } user)
        {
            return TypedResults.NoContent();
        }

        var now = DateTimeOffset.UtcNow;
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            await TokenRevocationStore.RecordAsync(db, id, now, ct);
            await OpenIdProvider.RevokeAllAsync(tokens, authorizations, id, ct);
            db.Enqueue(new AccountDeleted(Guid.NewGuid(), now, Guid.Parse(id), 1));
            await db.Set<Notices.Notice>().Where(n => n.AccountId == id).ExecuteDeleteAsync(ct);
            await db.Set<Notices.NoticeSettings>().Where(n => n.AccountId == id).ExecuteDeleteAsync(ct);
            var deleted = await users.DeleteAsync(user); // its SaveChanges stores the outbox row too
            if (!deleted.Succeeded)
            {
                throw new InvalidOperationException("Deleting the account failed: " + string.Join(", ", deleted.Errors.Select(e => e.Code)));
            }

            await transaction.CommitAsync(ct);
        }

        revocations.Add(id, now);
        return TypedResults.NoContent();
    }

    /// <summary>The user created, the account that already has the address, or a validation problem.</summary>
    internal sealed record CreatedUser(IdentityUser? User, IdentityUser? Existing, IResult? Problem);

    /// <summary>Creates a user with its role and institutions as claims.</summary>
    private const int MaxPasswordLength = 1024;

    internal static async Task<CreatedUser> CreateUserAsync(
        UserManager<IdentityUser> users, string? email, string? password, string role, IReadOnlyList<Guid> institutions, string? displayName = null)
    {
        displayName = displayName?.Trim();
        if (displayName is { Length: > 100 } || (displayName is not null && displayName.Any(char.IsControl)))
        {
            return new(null, null, TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["displayName"] = ["A display name has at most 100 characters and no control characters."] }));
        }

        if (!CommonRules.IsDeliverableEmail(email))
        {
            return new(null, null, TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["email"] = [CommonRules.EmailMessage] }));
        }

        // A bound above any passphrase (NIST asks for at least 64): hashing megabytes 210,000 times is a denial of service.
        if (password is { Length: > MaxPasswordLength })
        {
            return new(null, null, TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["password"] = [$"A password has at most {MaxPasswordLength} characters."] }));
        }

        email = email!.Trim();

        // The account id is also a researcher's profile id: a random, pseudonymous Guid.
        // Accounts an administrator creates are confirmed (the administrator vouches for the address); researchers
        // confirm theirs with the link sent at sign-up.
        var user = new IdentityUser { Id = Guid.CreateVersion7().ToString(), UserName = email, Email = email, EmailConfirmed = role != Roles.Researcher };
        // Identity checks (and hashes) the password before it looks for a duplicate, so a taken address costs the same
        // work and gets the same password errors as a fresh one.
        var result = await users.CreateAsync(user, password ?? "");
        if (!result.Succeeded)
        {
            if (result.Errors.Any(e => e.Code is "DuplicateEmail" or "DuplicateUserName") && await users.FindByEmailAsync(email) is { } existing)
            {
                return new(null, existing, null);
            }

            // Identity's messages name the rule, never the submitted value.
            return new(null, null, TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                [result.Errors.Any(e => e.Code.StartsWith("Password", StringComparison.Ordinal)) ? "password" : "email"] =
                    result.Errors.Select(e => e.Code.StartsWith("Password", StringComparison.Ordinal) ? e.Description : e.Code).ToArray(),
            }));
        }

        var claims = new List<Claim> { new(PlatformClaims.Role, role) };
        claims.AddRange(institutions.Distinct().Select(i => new Claim(PlatformClaims.Institution, i.ToString())));
        if (!string.IsNullOrEmpty(displayName))
        {
            claims.Add(new Claim(PlatformClaims.Name, displayName));
        }

        await users.AddClaimsAsync(user, claims);
        return new(user, null, null);
    }

}

/// <summary>An account as the tokens and the account list show it (role, institutions, display name from its claims).</summary>
public static class Accounts
{
    public sealed record View(string DisplayName, string Role, IReadOnlyList<Guid> Institutions);

    public static async Task<View> ReadAsync(UserManager<IdentityUser> users, IdentityUser user)
    {
        var claims = await users.GetClaimsAsync(user);
        var role = claims.FirstOrDefault(c => c.Type == PlatformClaims.Role)?.Value ?? Roles.Researcher;
        var institutions = claims.Where(c => c.Type == PlatformClaims.Institution).Select(c => Guid.Parse(c.Value)).ToList();
        var name = claims.FirstOrDefault(c => c.Type == PlatformClaims.Name)?.Value;
        return new View(string.IsNullOrWhiteSpace(name) ? user.Email ?? user.Id : name, role, institutions);
    }
}

/// <summary>Creates the administrator named in <c>Auth:Admin</c> at start-up (after the migrations) if it does not exist.</summary>
internal sealed class AdminSeeder(IServiceProvider services, IConfiguration configuration, ILogger<AdminSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var email = configuration["Auth:Admin:Email"];
        var password = configuration["Auth:Admin:Password"];
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrWhiteSpace(password))
        {
            return;
        }

        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        if (await users.FindByEmailAsync(email) is null)
        {
            var created = await AccountsApi.CreateUserAsync(users, email, password, Roles.Admin, []);
            if (created.User is null)
            {
                throw new InvalidOperationException("Auth:Admin could not be created; check the password (at least 12 characters).");
            }

            logger.LogInformation("Administrator account seeded from configuration.");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
