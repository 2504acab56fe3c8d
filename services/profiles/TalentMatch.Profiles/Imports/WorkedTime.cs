using System.Text.RegularExpressions;

namespace TalentMatch.Profiles.Imports;

/// <summary>
/// Years of experience from a JSON Resume's <c>work[]</c>: the time actually worked, not the time since the first job.
/// Each period runs from the first day its <c>startDate</c> can mean to the last day its <c>endDate</c> can mean, as CVs
/// mean them ("2016-07" to "2019-08" is 1 July 2016 – 31 August 2019; "2014" to "2016" is three calendar years). No
/// <c>endDate</c> (or "present", "至今", …) runs until today; nothing after today counts. Overlapping periods are merged,
/// gaps between them are not counted, and the total in days ÷ 365.25 is rounded to one decimal (half away from zero),
/// so two periods of 18 months make 3.0 years.
/// </summary>
internal static partial class WorkedTime
{
    // The words CVs write for "until now" instead of an end date.
    private static readonly HashSet<string> OpenEnds = new(StringComparer.OrdinalIgnoreCase)
    {
        "present", "current", "now", "today", "ongoing", "至今", "今", "现在", "目前",
    };

    private static readonly DateOnly Earliest = new(1900, 1, 1);

    /// <summary>True when an <c>endDate</c> means the post is held today.</summary>
    public static bool IsOpen(string? endDate) => string.IsNullOrWhiteSpace(endDate) || OpenEnds.Contains(endDate.Trim());

    /// <summary>
    /// Worked years, or null after adding an error named after the member (<c>work[2].startDate</c>) for each period
    /// that has no start date, a date that is not YYYY, YYYY-MM or YYYY-MM-DD, or an end before its start.
    /// Null entries are skipped (they are reported where the document is read).
    /// </summary>
    public static double? Years(IReadOnlyList<JsonResumeWork?> work, DateOnly today, Dictionary<string, string[]> errors)
    {
        var periods = new List<(DateOnly From, DateOnly To)>();
        var valid = true;
        for (var i = 0; i < work.Count; i++)
        {
            if (work[i] is not { } w)
            {
                continue;
            }

            if (string.IsNullOrWhiteSpace(w.StartDate))
            {
                errors[$"work[{i}].startDate"] = ["Years of experience are counted from each post's dates; give startDate as YYYY, YYYY-MM or YYYY-MM-DD."];
                valid = false;
                continue;
            }

            if (Parse(w.StartDate, first: true) is not { } from)
            {
                errors[$"work[{i}].startDate"] = ["Not a date: use YYYY, YYYY-MM or YYYY-MM-DD (from 1900)."];
                valid = false;
                continue;
            }

            DateOnly to;
            if (IsOpen(w.EndDate))
            {
                to = today;
            }
            else if (Parse(w.EndDate!, first: false) is { } end)
            {
                if (end < from)
                {
                    errors[$"work[{i}].endDate"] = ["The post ends before it starts: endDate must not be earlier than startDate."];
                    valid = false;
                    continue;
                }

                to = end;
            }
            else
            {
                errors[$"work[{i}].endDate"] = ["Not a date: use YYYY, YYYY-MM or YYYY-MM-DD (from 1900), or leave it out for a current post."];
                valid = false;
                continue;
            }

            if (from <= today)
            {
                periods.Add((from, to < today ? to : today));
            }
        }

        if (!valid)
        {
            return null;
        }

        // Union of the periods: sort by start, extend the current run while the next one starts inside it.
        var days = 0;
        DateOnly? runFrom = null, runTo = null;
        foreach (var (from, to) in periods.OrderBy(p => p.From))
        {
            if (runTo is { } last && from <= last.AddDays(1))
            {
                runTo = to > last ? to : last;
                continue;
            }

            if (runFrom is { } f && runTo is { } t)
            {
                days += t.DayNumber - f.DayNumber + 1;
            }

            (runFrom, runTo) = (from, to);
        }

        if (runFrom is { } rf && runTo is { } rt)
        {
            days += rt.DayNumber - rf.DayNumber + 1;
        }

        return Math.Round(days / 365.25, 1, MidpointRounding.AwayFromZero);
    }

    /// <summary>A JSON Resume date; a partial one as its first day (<paramref name="first"/>) or its last.</summary>
    internal static DateOnly? Parse(string value, bool first)
    {
        var m = IsoDate().Match(value.Trim());
        if (!m.Success)
        {
            return null;
        }

        var year = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var month = m.Groups[2].Success ? int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : (first ? 1 : 12);
        if (year < Earliest.Year || month is < 1 or > 12)
        {
            return null;
        }

        var lastDay = DateTime.DaysInMonth(year, month);
        var day = m.Groups[3].Success ? int.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture) : (first ? 1 : lastDay);
        return day >= 1 && day <= lastDay ? new DateOnly(year, month, day) : null;
    }

    // ASCII digits only: \d would also take other scripts' digits, which int.Parse refuses.
    [GeneratedRegex(@"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoDate();
}
