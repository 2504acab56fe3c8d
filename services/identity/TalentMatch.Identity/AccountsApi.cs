using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Hosting.Auth;

namespace TalentMatch.Identity;

public sealed record SignUpRequest(string? Email, string? Password);

public sealed record LoginRequest(string? Email, string? Password);

public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, string UserId, string Role, IReadOnlyList<Guid> Institutions);

/// <param name="Role">hr, ambassador or admin.</param>
/// <param name="InstitutionIds">One institution for an HR office; the ambassador's scope.</param>
public sealed record CreateAccountRequest(string? Email, string? Password, string? Role, IReadOnlyList<Guid>? InstitutionIds);

public sealed record AccountResponse(string UserId, string Role, IReadOnlyList<Guid> Institutions);

public sealed class RateLimitOptions
{
    public int PermitLimit { get; set; } = 10;
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

public static class AccountsApi
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
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            .AddEntityFrameworkStores<IdentityDb>();
        var limits = builder.Configuration.GetSection("RateLimit").Get<RateLimitOptions>() ?? new RateLimitOptions();
        builder.Services.AddRateLimiter(o =>
        {
            o.AddPolicy(AuthRateLimit, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
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
            .WithSummary("Creates a researcher account (password of at least 12 characters) and signs it in. Rate-limited per client address.");
        auth.MapPost("/login", Login).AllowAnonymous().RequireRateLimiting(AuthRateLimit).WithName("Login")
            .WithSummary("Signs in: a bearer token valid for a short time (Auth:TokenLifetime). Locked out after 5 failures; rate-limited per client address.");
        var accounts = app.MapGroup("/api/accounts").WithTags("Accounts");
        accounts.MapPost("/", Create).RequireAuthorization(PlatformAuthentication.AdminPolicy).WithName("CreateAccount")
            .WithSummary("An administrator creates an HR office (one institution), an ambassador (a set of institutions) or another administrator.");
        accounts.MapGet("/me", Me).WithName("GetMyAccount").WithSummary("Who the token belongs to.");
        accounts.MapDelete("/me", DeleteMe).WithName("DeleteMyAccount")
            .WithSummary("Deletes your account (erase your profile first with DELETE /api/profiles/{id} on the profiles service).");
        return app;
    }

    private static async Task<IResult> SignUp(SignUpRequest request, UserManager<IdentityUser> users, TokenIssuer tokens, AuthOptions options)
    {
        var created = await CreateUserAsync(users, request.Email, request.Password, Roles.Researcher, []);
        return created switch
        {
            IdentityUser user => TypedResults.Created("/api/accounts/me", Token(user.Id, Roles.Researcher, [], tokens, options)),
            IResult problem => problem,
            _ => throw new InvalidOperationException(),
        };
    }

    private static async Task<IResult> Login(LoginRequest request, UserManager<IdentityUser> users, TokenIssuer tokens, AuthOptions options)
    {
        var user = string.IsNullOrWhiteSpace(request.Email) ? null : await users.FindByEmailAsync(request.Email.Trim());
        if (user is null || string.IsNullOrEmpty(request.Password))
        {
            return Unauthorized();
        }

        if (await users.IsLockedOutAsync(user))
        {
            return TypedResults.Problem(statusCode: 401, title: "The account is locked after repeated failures; try again later.");
        }

        if (!await users.CheckPasswordAsync(user, request.Password))
        {
            await users.AccessFailedAsync(user);
            return Unauthorized();
        }

        await users.ResetAccessFailedCountAsync(user);
        var (role, institutions) = await RoleOf(users, user);
        return TypedResults.Ok(Token(user.Id, role, institutions, tokens, options));
    }

    private static async Task<IResult> Create(CreateAccountRequest request, UserManager<IdentityUser> users)
    {
        var errors = new Dictionary<string, string[]>();
        var institutions = request.InstitutionIds ?? [];
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

        var created = await CreateUserAsync(users, request.Email, request.Password, request.Role!, institutions);
        return created is IdentityUser user
            ? TypedResults.Created("/api/accounts/" + user.Id, new AccountResponse(user.Id, request.Role!, institutions))
            : (IResult)created;
    }

    private static IResult Me(ClaimsPrincipal principal) =>
        TypedResults.Ok(new AccountResponse(principal.UserId()!, Roles.All.FirstOrDefault(principal.IsInRole) ?? "", principal.Institutions().ToList()));

    private static async Task<IResult> DeleteMe(ClaimsPrincipal principal, UserManager<IdentityUser> users)
    {
        if (principal.UserId() is { } id && await users.FindByIdAsync(id) is { } user)
        {
            await users.DeleteAsync(user);
        }

        return TypedResults.NoContent();
    }

    /// <summary>Creates a user with its role and institutions as claims; answers the user or a problem.</summary>
    internal static async Task<object> CreateUserAsync(UserManager<IdentityUser> users, string? email, string? password, string role, IReadOnlyList<Guid> institutions)
    {
        if (string.IsNullOrWhiteSpace(email) || !email.Contains('@') || email.Length > 254)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["email"] = ["A valid e-mail address is required."] });
        }

        // The account id is also a researcher's profile id: a random, pseudonymous Guid.
        var user = new IdentityUser { Id = Guid.CreateVersion7().ToString(), UserName = email.Trim(), Email = email.Trim() };
        var result = await users.CreateAsync(user, password ?? "");
        if (!result.Succeeded)
        {
            // Identity's messages name the rule, never the submitted value (DuplicateEmail/DuplicateUserName would: replaced).
            var duplicate = result.Errors.Any(e => e.Code is "DuplicateEmail" or "DuplicateUserName");
            return duplicate
                ? TypedResults.Problem(statusCode: 409, title: "An account with this e-mail address already exists.")
                : TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    [result.Errors.Any(e => e.Code.StartsWith("Password", StringComparison.Ordinal)) ? "password" : "email"] =
                        result.Errors.Select(e => e.Code.StartsWith("Password", StringComparison.Ordinal) ? e.Description : e.Code).ToArray(),
                });
        }

        var claims = new List<Claim> { new(PlatformClaims.Role, role) };
        claims.AddRange(institutions.Select(i => new Claim(PlatformClaims.Institution, i.ToString())));
        await users.AddClaimsAsync(user, claims);
        return user;
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
            if (created is not IdentityUser)
            {
                throw new InvalidOperationException("Auth:Admin could not be created; check the password (at least 12 characters).");
            }

            logger.LogInformation("Administrator account seeded from configuration.");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
