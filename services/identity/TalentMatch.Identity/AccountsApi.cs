using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TalentMatch.Contracts.Identity;
using TalentMatch.Hosting.Auth;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Hosting.Web;
using TalentMatch.Seeds;

namespace TalentMatch.Identity;

public sealed record SignUpRequest(string? Email, string? Password);

public sealed record LoginRequest(string? Email, string? Password);

public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, string UserId, string Role, IReadOnlyList<Guid> Institutions);

/// <param name="Role">hr, ambassador or admin.</param>
/// <param name="InstitutionIds">One institution for an HR office; the ambassador's scope.</param>
public sealed record CreateAccountRequest(string? Email, string? Password, string? Role, IReadOnlyList<Guid>? InstitutionIds);

public sealed record AccountResponse(string UserId, string Role, IReadOnlyList<Guid> Institutions);

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
            .AddEntityFrameworkStores<IdentityDb>();
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
            .WithSummary("Creates a researcher account (password of at least 12 characters); then sign in. The answer is the same whether or not the address already has an account. Rate-limited per client address.");
        auth.MapPost("/login", Login).AllowAnonymous().RequireRateLimiting(AuthRateLimit).WithName("Login")
            .WithSummary("Signs in: a bearer token valid for a short time (Auth:TokenLifetime). 5 failures lock the client address out of the account for 15 minutes; many failures from several addresses make every attempt wait (429, Retry-After). Rate-limited per client address.");
        var accounts = app.MapGroup("/api/accounts").WithTags("Accounts");
        accounts.MapPost("/", Create).RequireAuthorization(PlatformAuthentication.AdminPolicy).WithName("CreateAccount")
            .WithSummary("An administrator creates an HR office (one institution), an ambassador (a set of institutions) or another administrator.");
        accounts.MapGet("/me", Me).WithName("GetMyAccount").WithSummary("Who the token belongs to.");
        accounts.MapDelete("/me", DeleteMe).WithName("DeleteMyAccount")
            .WithSummary("Deletes your account: its tokens stop working on every service at once, and your profile is erased as DELETE /api/profiles/{id} erases it.");
        return app;
    }

    /// <summary>
    /// A taken address gets the answer a fresh one gets (202, same body) and nothing changes for its account, so
    /// sign-up does not tell who has an account. The owner is to be told by e-mail once the platform sends any; for
    /// now the attempt is logged under the account id.
    /// </summary>
    private static async Task<IResult> SignUp(SignUpRequest request, UserManager<IdentityUser> users, ILogger<SignUpAccepted> logger)
    {
        var created = await CreateUserAsync(users, request.Email, request.Password, Roles.Researcher, []);
        if (created.Problem is not null)
        {
            return created.Problem;
        }

        if (created.Existing is { } existing)
        {
            LogSignUpForExistingAccount(logger, existing.Id);
        }

        return TypedResults.Accepted((string?)null, new SignUpAccepted("accepted",
            "Sign-up received. Sign in with POST /api/auth/login using this e-mail address and password."));
    }

    [LoggerMessage(Level = LogLevel.Information, EventName = "SignUpForExistingAccount",
        Message = "Sign-up with the e-mail address of existing account {AccountId}: answered as a new sign-up, account unchanged (the owner is to be notified once e-mail exists)")]
    private static partial void LogSignUpForExistingAccount(ILogger logger, string accountId);

    /// <summary>
    /// Every refusal is the same 401 (wrong password, unknown address, locked-out client address) after the same work
    /// (one password hash check), so neither answer nor timing tells whether an account exists or is locked.
    /// </summary>
    private static async Task<IResult> Login(
        LoginRequest request, HttpContext http, UserManager<IdentityUser> users, SignInGuard guard, TokenIssuer tokens, AuthOptions options, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Email) || string.IsNullOrEmpty(request.Password))
        {
            return Unauthorized();
        }

        var account = SignInGuard.AccountKey(users.NormalizeEmail(request.Email.Trim()));
        var address = SignInGuard.ClientAddress(http);
        var verdict = await guard.CheckAsync(account, address, ct);
        if (verdict.RetryAfter is { } wait)
        {
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests,
                title: "Too many failed sign-ins for this account; retry after the delay in Retry-After.");
        }

        var user = await users.FindByEmailAsync(request.Email.Trim());
        if (verdict.LockedOut || user is null)
        {
            guard.VerifyDummy(users, request.Password); // the work a password check costs
            if (!verdict.LockedOut)
            {
                await guard.RecordFailureAsync(account, address, ct);
            }

            return Unauthorized();
        }

        if (!await users.CheckPasswordAsync(user, request.Password))
        {
            await guard.RecordFailureAsync(account, address, ct);
            return Unauthorized();
        }

        await guard.ClearAsync(account, address, ct);
        var (role, institutions) = await RoleOf(users, user);
        return TypedResults.Ok(Token(user.Id, role, institutions, tokens, options));
    }

    private static async Task<IResult> Create(CreateAccountRequest request, UserManager<IdentityUser> users, Institutions known)
    {
        var errors = new Dictionary<string, string[]>();
        var institutions = request.InstitutionIds ?? [];
        if (institutions.Any(i => !known.TryGet(i, out _)))
        {
            errors["institutionIds"] = ["Unknown institution; see GET /api/institutions on the positions service."];
        }

        switch (request.Role)
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

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        // An administrator may learn that an address is taken.
        var created = await CreateUserAsync(users, request.Email, request.Password, request.Role!, institutions);
        return created switch
        {
            { Problem: { } problem } => problem,
            { Existing: not null } => TypedResults.Problem(statusCode: 409, title: "An account with this e-mail address already exists."),
            _ => TypedResults.Created("/api/accounts/" + created.User!.Id, new AccountResponse(created.User.Id, request.Role!, institutions)),
        };
    }

    private static IResult Me(ClaimsPrincipal principal) =>
        TypedResults.Ok(new AccountResponse(principal.UserId()!, Roles.All.FirstOrDefault(principal.IsInRole) ?? "", principal.Institutions().ToList()));

    /// <summary>
    /// Deletes the account, revokes its tokens (here at once; the other services learn it from <see cref="AccountDeleted"/>
    /// within moments) and, through the same event, has profiles erase the researcher's profile. One transaction: the
    /// account is never gone without the event that revokes its tokens elsewhere.
    /// </summary>
    private static async Task<IResult> DeleteMe(
        ClaimsPrincipal principal, UserManager<IdentityUser> users, IdentityDb db, TokenRevocations revocations, CancellationToken ct)
    {
        if (principal.UserId() is not { } id || await users.FindByIdAsync(id) is not { } user)
        {
            return TypedResults.NoContent();
        }

        var now = DateTimeOffset.UtcNow;
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            await TokenRevocationStore.RecordAsync(db, id, now, ct);
            db.Enqueue(new AccountDeleted(Guid.NewGuid(), now, Guid.Parse(id), 1));
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

    internal static async Task<CreatedUser> CreateUserAsync(UserManager<IdentityUser> users, string? email, string? password, string role, IReadOnlyList<Guid> institutions)
    {
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
        var user = new IdentityUser { Id = Guid.CreateVersion7().ToString(), UserName = email, Email = email };
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
        claims.AddRange(institutions.Select(i => new Claim(PlatformClaims.Institution, i.ToString())));
        await users.AddClaimsAsync(user, claims);
        return new(user, null, null);
    }

    private static async Task<(string Role, IReadOnlyList<Guid> Institutions)> RoleOf(UserManager<IdentityUser> users, IdentityUser user)
    {
        var claims = await users.GetClaimsAsync(user);
        var role = claims.FirstOrDefault(c => c.Type == PlatformClaims.Role)?.Value ?? Roles.Researcher;
        var institutions = claims.Where(c => c.Type == PlatformClaims.Institution).Select(c => Guid.Parse(c.Value)).ToList();
        return (role, institutions);
    }

    private static TokenResponse Token(string userId, string role, IReadOnlyList<Guid> institutions, TokenIssuer tokens, AuthOptions options) =>
        new(tokens.Issue(userId, role, institutions), "Bearer", (int)options.TokenLifetime.TotalSeconds, userId, role, institutions);

    private static ProblemHttpResult Unauthorized() =>
        TypedResults.Problem(statusCode: 401, title: "Wrong e-mail address or password.");
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
