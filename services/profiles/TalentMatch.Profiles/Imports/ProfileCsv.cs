using System.Globalization;
using System.Text;
using TalentMatch.ReferenceData;

namespace TalentMatch.Profiles.Imports;

/// <summary>
/// The CSV form of a profile for bulk import (RFC 4180 quoting, UTF-8, comma-separated, header row first).
/// Columns are named like the JSON members of <see cref="ProfileRequest"/> (case-insensitive) and may come in any order;
/// optional columns may be left out. List columns separate items with ';'. <c>degrees</c> items are
/// <c>level|fieldCode|institution|year</c>, <c>honours</c> items <c>tier|programme|year</c>. An empty cell is "not given".
/// A record is one physical line: profiles have no multi-line values, and that keeps one bad quote from swallowing the
/// rest of the file (it is reported on its own line).
/// </summary>
internal sealed class ProfileCsv
{
    public static readonly string[] Columns =
    [
        "fullName", "email", "phone", "orcid", "degrees", "currentInstitution", "currentTitle", "careerStage",
        "researchFields", "skills", "yearsOfExperience", "publicationsCount", "hIndex", "grantsLed", "honours",
        "languages", "preferredCities", "employmentModes", "earliestStartDate", "consentToMatching",
    ];

    public static readonly string[] RequiredColumns =
        ["fullName", "email", "careerStage", "researchFields", "yearsOfExperience", "employmentModes", "consentToMatching"];

    private readonly int[] _indexOf;
    private readonly int _fieldCount;

    private ProfileCsv(int[] indexOf, int fieldCount)
    {
        _indexOf = indexOf;
        _fieldCount = fieldCount;
    }

    /// <summary>Reads the header row; every problem with it is returned at once.</summary>
    public static ProfileCsv? FromHeader(string header, out List<string> errors)
    {
        errors = [];
        var names = new List<string?>();
        if (!TrySplit(header, names, out var quoteError))
        {
            errors.Add(quoteError!);
            return null;
        }

        var indexOf = Enumerable.Repeat(-1, Columns.Length).ToArray();
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i]?.Trim().TrimStart('\uFEFF') ?? "";
            var column = Array.FindIndex(Columns, c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase));
            if (column < 0)
            {
                errors.Add($"Unknown column '{Clip(name)}' (position {i + 1}). Columns: {string.Join(", ", Columns)}.");
            }
            else if (indexOf[column] >= 0)
            {
                errors.Add($"Column '{Columns[column]}' appears twice.");
            }
            else
            {
                indexOf[column] = i;
            }
        }

        var missing = RequiredColumns.Where(r => indexOf[Array.IndexOf(Columns, r)] < 0).ToList();
        if (missing.Count > 0)
        {
            errors.Add($"Missing required column(s): {string.Join(", ", missing)}.");
        }

        return errors.Count == 0 ? new ProfileCsv(indexOf, names.Count) : null;
    }

    /// <summary>Parses one record; <paramref name="errors"/> names the fields that could not be read.</summary>
    public ProfileRequest? Parse(string line, List<string?> fields, Dictionary<string, string[]> errors)
    {
        if (!TrySplit(line, fields, out var quoteError))
        {
            errors["row"] = [quoteError!];
            return null;
        }

        if (fields.Count != _fieldCount)
        {
            errors["row"] = [$"Expected {_fieldCount} fields as in the header, found {fields.Count}."];
            return null;
        }

        string? Cell(int column) => _indexOf[column] is var i and >= 0 && !string.IsNullOrEmpty(fields[i]) ? fields[i] : null;
        IReadOnlyList<string>? ListOf(int column) => Cell(column)?.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

        double? Number(int column)
        {
            var v = Cell(column);
            if (v is null)
            {
                return null;
            }

            if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
            {
                return d;
            }

            errors[Columns[column]] = [$"'{Clip(v)}' is not a number."];
            return null;
        }

        int? Integer(int column)
        {
            var v = Cell(column);
            if (v is null)
            {
                return null;
            }

            if (int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
            {
                return n;
            }

            errors[Columns[column]] = [$"'{Clip(v)}' is not a whole number."];
            return null;
        }

        T? Enum<T>(int column, Func<string, T> parse, string expected) where T : struct
        {
            var v = Cell(column);
            if (v is null)
            {
                return null;
            }

            try
            {
                return parse(v.Trim());
            }
            catch (FormatException)
            {
                errors[Columns[column]] = [$"'{Clip(v)}' is not valid; use {expected}."];
                return null;
            }
        }

        var degrees = ListOf(4)?.Select((item, i) =>
        {
            var parts = item.Split('|', StringSplitOptions.TrimEntries);
            if (parts.Length != 4)
            {
                errors[$"degrees[{i}]"] = ["Write a degree as level|fieldCode|institution|year."];
                return null;
            }

            DegreeLevel? level = null;
            try
            {
                level = SeedEnums.ParseDegree(parts[0]);
            }
            catch (FormatException)
            {
                errors[$"degrees[{i}].level"] = ["Use bachelor, master or doctorate."];
            }

            int? year = int.TryParse(parts[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var y) ? y : null;
            if (year is null)
            {
                errors[$"degrees[{i}].year"] = [$"'{Clip(parts[3])}' is not a year."];
            }

            return new DegreeInput(level, parts[1], parts[2], year);
        }).OfType<DegreeInput>().ToList();

        var honours = ListOf(14)?.Select((item, i) =>
        {
            var parts = item.Split('|', StringSplitOptions.TrimEntries);
            if (parts.Length != 3)
            {
                errors[$"honours[{i}]"] = ["Write an honour as tier|programme|year."];
                return null;
            }

            TalentTier? tier = null;
            try
            {
                tier = SeedEnums.ParseTalentTier(parts[0]);
            }
            catch (FormatException)
            {
                errors[$"honours[{i}].tier"] = ["Use young, provincial or national."];
            }

            int? year = int.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var y) ? y : null;
            if (year is null)
            {
                errors[$"honours[{i}].year"] = [$"'{Clip(parts[2])}' is not a year."];
            }

            return new HonourInput(tier, parts[1], year);
        }).OfType<HonourInput>().ToList();

        List<EmploymentModes>? modes = null;
        if (ListOf(17) is { } modeNames)
        {
            modes = [];
            foreach (var name in modeNames)
            {
                try
                {
                    modes.Add(SeedEnums.ParseEmploymentMode(name));
                }
                catch (FormatException)
                {
                    errors["employmentModes"] = [$"'{Clip(name)}' is not valid; use full-time, flexible-part-time or visiting."];
                }
            }
        }

        DateOnly? start = null;
        if (Cell(18) is { } startText)
        {
            if (DateOnly.TryParseExact(startText.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            {
                start = d;
            }
            else
            {
                errors["earliestStartDate"] = [$"'{Clip(startText)}' is not a date; use YYYY-MM-DD."];
            }
        }

        bool? consent = null;
        if (Cell(19) is { } consentText)
        {
            if (bool.TryParse(consentText.Trim(), out var b))
            {
                consent = b;
            }
            else
            {
                errors["consentToMatching"] = [$"'{Clip(consentText)}' is not valid; use true or false."];
            }
        }

        return new ProfileRequest(
            Cell(0), Cell(1), Cell(2), Cell(3), degrees, Cell(5), Cell(6),
            Enum(7, SeedEnums.ParseCareerStage, "R1, R2, R3 or R4"),
            ListOf(8), ListOf(9), Number(10), Integer(11), Integer(12), Integer(13), honours, ListOf(15), ListOf(16),
            modes, start, consent);
    }

    /// <summary>Splits one line into RFC 4180 fields ("" escapes a quote inside a quoted field).</summary>
    internal static bool TrySplit(string line, List<string?> fields, out string? error)
    {
        fields.Clear();
        error = null;
        var i = 0;
        var field = new StringBuilder();
        while (true)
        {
            if (i < line.Length && line[i] == '"')
            {
                field.Clear();
                var start = i;
                i++;
                while (true)
                {
                    var close = line.IndexOf('"', i);
                    if (close < 0)
                    {
                        error = $"Unterminated quoted field starting at character {start + 1} (a record must be on one line).";
                        return false;
                    }

                    field.Append(line, i, close - i);
                    if (close + 1 < line.Length && line[close + 1] == '"')
                    {
                        field.Append('"');
                        i = close + 2;
                        continue;
                    }

                    i = close + 1;
                    break;
                }

                if (i < line.Length && line[i] != ',')
                {
                    error = $"Unexpected character after the closing quote at character {i + 1}; quote the whole field and double any quote inside it.";
                    return false;
                }

                fields.Add(field.ToString());
            }
            else
            {
                var comma = line.IndexOf(',', i);
                var end = comma < 0 ? line.Length : comma;
                var raw = line.AsSpan(i, end - i);
                if (raw.Contains('"'))
                {
                    error = $"A quote inside an unquoted field at character {i + raw.IndexOf('"') + 1}; quote the whole field and double the quote.";
                    return false;
                }

                fields.Add(raw.ToString());
                i = end;
            }

            if (i >= line.Length)
            {
                return true;
            }

            i++; // the comma
            if (i == line.Length)
            {
                fields.Add("");
                return true;
            }
        }
    }

    /// <summary>Writes one field, quoted when it must be.</summary>
    public static string Escape(string? value) =>
        value is null ? "" : value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;

    private static string Clip(string value) => new(value.Take(40).Where(c => !char.IsControl(c)).ToArray());
}
