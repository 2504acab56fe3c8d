using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace TalentMatch.Identity;

/// <summary>ASP.NET Core Identity's tables (users, claims, logins, tokens; roles are kept as a <c>role</c> claim).</summary>
public sealed class IdentityDb(DbContextOptions<IdentityDb> options) : IdentityDbContext<IdentityUser>(options);
