using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace TalentMatch.Hosting.Web;

/// <summary>One page of a list answer.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int PageNumber, int PageSize, long Total);

/// <summary>
/// Query parameters <c>page</c> (from 1) and <c>pageSize</c> (1..200, default 20). Out-of-range values are
/// rejected with 400 rather than silently clamped.
/// </summary>
public readonly record struct PageRequest(int PageNumber, int PageSize)
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 200;

    public int Skip => (PageNumber - 1) * PageSize;

    public static bool TryRead(int? page, int? pageSize, out PageRequest request, out ValidationProblem? problem)
    {
        request = new PageRequest(page ?? 1, pageSize ?? DefaultPageSize);
        var errors = new Dictionary<string, string[]>();
        if (request.PageNumber < 1)
        {
            errors["page"] = ["'page' must be 1 or more."];
        }

        if (request.PageSize is < 1 or > MaxPageSize)
        {
            errors["pageSize"] = [$"'pageSize' must be between 1 and {MaxPageSize}."];
        }

        problem = errors.Count == 0 ? null : TypedResults.ValidationProblem(errors, title: "Invalid paging parameters.");
        return problem is null;
    }
}
