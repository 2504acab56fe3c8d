namespace TalentMatch.ReferenceData;

/// <summary>ORCID iD helpers: the check character is ISO 7064 MOD 11-2 over the first 15 digits.</summary>
public static class Orcid
{
    /// <summary>Largest value that fits in the 15 base digits.</summary>
    public const long MaxBase = 999_999_999_999_999;

    /// <summary>
    /// True for a hyphenated iD <c>dddd-dddd-dddd-dddX</c> (optionally prefixed by <c>https://orcid.org/</c>) whose
    /// last character is the correct check digit (0–9 or upper-case X).
    /// </summary>
    public static bool IsValid(string? value)
    {
        if (value is null)
        {
            return false;
        }

        var s = value.AsSpan();
        if (s.StartsWith("https://orcid.org/", StringComparison.Ordinal))
        {
            s = s["https://orcid.org/".Length..];
        }

        if (s.Length != 19)
        {
            return false;
        }

        Span<char> digits = stackalloc char[15];
        var n = 0;
        for (var i = 0; i < 18; i++)
        {
            var c = s[i];
            if (i is 4 or 9 or 14)
            {
                if (c != '-')
                {
                    return false;
                }
            }
            else if (c is >= '0' and <= '9')
            {
                digits[n++] = c;
            }
            else
            {
                return false;
            }
        }

        return s[18] == CheckCharacter(digits);
    }

    /// <summary>
    /// Builds the hyphenated iD for 15 base digits given as a number (0 ≤ <paramref name="baseDigits"/> ≤ 999,999,999,999,999,
    /// left-padded with zeros). <c>Create(21825009)</c> returns <c>0000-0002-1825-0097</c>.
    /// </summary>
    public static string Create(long baseDigits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(baseDigits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(baseDigits, MaxBase);
        Span<char> digits = stackalloc char[15];
        baseDigits.TryFormat(digits, out _, "D15");
        var check = CheckCharacter(digits);
        return string.Create(19, (baseDigits, check), static (span, state) =>
        {
            Span<char> d = stackalloc char[15];
            state.baseDigits.TryFormat(d, out _, "D15");
            d[..4].CopyTo(span);
            span[4] = '-';
            d[4..8].CopyTo(span[5..]);
            span[9] = '-';
            d[8..12].CopyTo(span[10..]);
            span[14] = '-';
            d[12..15].CopyTo(span[15..]);
            span[18] = state.check;
        });
    }

    /// <summary>ISO 7064 MOD 11-2 check character for 15 decimal digits.</summary>
    public static char CheckCharacter(ReadOnlySpan<char> fifteenDigits)
    {
        if (fifteenDigits.Length != 15)
        {
            throw new ArgumentException("Exactly 15 digits expected.", nameof(fifteenDigits));
        }

        var total = 0;
        foreach (var c in fifteenDigits)
        {
            if (c is < '0' or > '9')
            {
                throw new ArgumentException("Digits only.", nameof(fifteenDigits));
            }

            total = (total + (c - '0')) * 2;
        }

        var result = (12 - (total % 11)) % 11;
        return result == 10 ? 'X' : (char)('0' + result);
    }
}
