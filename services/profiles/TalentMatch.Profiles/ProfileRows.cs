using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace TalentMatch.Profiles;

/// <summary>
/// New profile rows by binary COPY, in the formats EF Core reads back: the write path of registrations (group-committed)
/// and bulk imports, which store many rows per transaction where a SaveChanges per row would cost more than the row.
/// </summary>
internal static class ProfileRows
{
    private const string Copy = """
        COPY profiles (id, version, status, full_name, email, phone, orcid, degrees, highest_degree, current_institution,
            current_title, career_stage, research_fields, skills, years_of_experience, publications_count, h_index,
            grants_led, honours, languages, preferred_cities, employment_modes, earliest_start_date, consent_to_matching,
            consent_given_at, created_at, updated_at, consent_notice_version) FROM STDIN (FORMAT BINARY)
        """;

    private static readonly JsonSerializerOptions OwnedJson = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Inserts <paramref name="profiles"/> inside the caller's transaction.</summary>
    public static async Task CopyAsync(NpgsqlConnection connection, IReadOnlyList<Profile> profiles, CancellationToken ct)
    {
        await using var copy = await connection.BeginBinaryImportAsync(Copy, ct);
        foreach (var p in profiles)
        {
            Write(copy, p);
        }

        await copy.CompleteAsync(ct);
    }

    /// <summary>One row in the column order of <see cref="Copy"/>; synchronous writes, because Npgsql's async ones
    /// allocate a task per value and the rows are in memory already.</summary>
    private static void Write(NpgsqlBinaryImporter copy, Profile p)
    {
        copy.StartRow();
        copy.Write(p.Id, NpgsqlDbType.Uuid);
        copy.Write(p.Version, NpgsqlDbType.Bigint);
        copy.Write((int)p.Status, NpgsqlDbType.Integer);
        copy.Write(p.FullName, NpgsqlDbType.Varchar);
        copy.Write(p.Email, NpgsqlDbType.Varchar);
        WriteNullable(copy, p.Phone, NpgsqlDbType.Varchar);
        WriteNullable(copy, p.Orcid, NpgsqlDbType.Varchar);
        copy.Write(JsonSerializer.Serialize(p.Degrees, OwnedJson), NpgsqlDbType.Jsonb);
        copy.Write((int)p.HighestDegree, NpgsqlDbType.Integer);
        WriteNullable(copy, p.CurrentInstitution, NpgsqlDbType.Varchar);
        WriteNullable(copy, p.CurrentTitle, NpgsqlDbType.Varchar);
        copy.Write((int)p.CareerStage, NpgsqlDbType.Integer);
        copy.Write(p.ResearchFields, NpgsqlDbType.Array | NpgsqlDbType.Text);
        copy.Write(p.Skills, NpgsqlDbType.Array | NpgsqlDbType.Text);
        copy.Write(p.YearsOfExperience, NpgsqlDbType.Double);
        copy.Write(p.PublicationsCount, NpgsqlDbType.Integer);
        copy.Write(p.HIndex, NpgsqlDbType.Integer);
        copy.Write(p.GrantsLed, NpgsqlDbType.Integer);
        copy.Write(JsonSerializer.Serialize(p.Honours, OwnedJson), NpgsqlDbType.Jsonb);
        copy.Write(p.Languages, NpgsqlDbType.Array | NpgsqlDbType.Text);
        copy.Write(p.PreferredCities, NpgsqlDbType.Array | NpgsqlDbType.Text);
        copy.Write((int)p.EmploymentModes, NpgsqlDbType.Integer);
        if (p.EarliestStartDate is { } start)
        {
            copy.Write(start, NpgsqlDbType.Date);
        }
        else
        {
            copy.WriteNull();
        }

        copy.Write(p.ConsentToMatching, NpgsqlDbType.Boolean);
        if (p.ConsentGivenAt is { } consentAt)
        {
            copy.Write(consentAt, NpgsqlDbType.TimestampTz);
        }
        else
        {
            copy.WriteNull();
        }

        copy.Write(p.CreatedAt, NpgsqlDbType.TimestampTz);
        copy.Write(p.UpdatedAt, NpgsqlDbType.TimestampTz);
        WriteNullable(copy, p.ConsentNoticeVersion, NpgsqlDbType.Varchar);
    }

    private static void WriteNullable(NpgsqlBinaryImporter copy, string? value, NpgsqlDbType type)
    {
        if (value is null)
        {
            copy.WriteNull();
        }
        else
        {
            copy.Write(value, type);
        }
    }
}
