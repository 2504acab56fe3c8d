using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace TalentMatch.Hosting.Web;

/// <summary>One page of a list answer.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int PageNumber, int PageSize, long Total);

/// <summary>
/// Query parameters <c>page</c> (from 1) and <c>pageSize</c> (1..200, default 20). Out-of-range values are
/// rejected with 400 rather than silently clamped, and so is a page whose offset ((page − 1) × pageSize) would not fit
/// a 32-bit offset: it would overflow into a negative OFFSET instead of answering an empty page.
/// </summary>
public readonly record struct PageRequest(int PageNumber, int PageSize)
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 200;

    /// <summary>Largest offset a page may start at; room is left for the page's own items.</summary>
    public const long MaxOffset = int.MaxValue - MaxPageSize;

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
        else if (request.PageNumber >= 1 && (request.PageNumber - 1L) * request.PageSize > MaxOffset)
        {
            errors["page"] = [$"'page' is too large: (page - 1) × pageSize may be at most {MaxOffset}."];
        }

        problem = errors.Count == 0 ? null : TypedResults.ValidationProblem(errors, title: "Invalid paging parameters.");
        return problem is null;
    }
}
