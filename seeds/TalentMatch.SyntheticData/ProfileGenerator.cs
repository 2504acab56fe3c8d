using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Bogus;
using Bogus.DataSets;

using TalentMatch.ReferenceData;

namespace TalentMatch.SyntheticData;

/// <summary>
/// Generates reproducible synthetic researcher/clinician profiles. The same seed and reference date always give the
/// same sequence (all randomness comes from one seeded <see cref="System.Random"/> plus a seeded Bogus
/// <see cref="Randomizer"/> for international names). Each <see cref="Generate"/> call starts again from the seed.
/// Distributions are documented in <c>seeds/README.md</c>.
/// </summary>
public sealed class ProfileGenerator
{
    /// <summary>Reference date used when none is given: experience, degree years, start dates and consent
    /// timestamps are computed relative to it, never from the clock.</summary>
    public static readonly DateOnly DefaultReferenceDate = new(2026, 7, 1);

    private static readonly Lazy<Model> SharedModel = new(() => new Model(
        ResearchFieldTaxonomy.Load(), SkillVocabulary.Load(), CareerStages.Load(), Institutions.Load()));

    private readonly Model _m;

    public ProfileGenerator(int seed, DateOnly? referenceDate = null)
    {
        Seed = seed;
        ReferenceDate = referenceDate ?? DefaultReferenceDate;
        _m = SharedModel.Value;
    }

    public int Seed { get; }

    public DateOnly ReferenceDate { get; }

    /// <summary>Streams <paramref name="count"/> profiles. Enumerating twice yields identical profiles.</summary>
    public IEnumerable<SyntheticProfile> Generate(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return Iterate(count);
    }

    private IEnumerable<SyntheticProfile> Iterate(int count)
    {
        var state = new RunState(Seed);
        for (var i = 0; i < count; i++)
        {
            yield return Next(state, i);
        }
    }

    // ----------------------------------------------------------------------------------------------------------

    private SyntheticProfile Next(RunState s, int index)
    {
        var r = s.Random;
        var m = _m;
        var refYear = ReferenceDate.Year;

        var id = NewGuid(r);
        var chinese = r.NextDouble() < 0.88;

        // Career stage: R1 30%, R2 35%, R3 25%, R4 10%.
        var stage = (CareerStage)(1 + Pick(r, StageCumulative));
        var stageIndex = (int)stage - 1;

        // Track: clinicians are about a third of Chinese profiles, fewer among international ones.
        var track = r.NextDouble() < (chinese ? 0.35 : 0.10) ? TitleTrack.Clinical : TitleTrack.Research;

        // Names.
        string family, given;
        string[] ownLanguages;
        if (chinese)
        {
            family = m.FamilyNames[Pick(r, m.FamilyCumulative)];
            var first = NameData.GivenSyllables[r.Next(NameData.GivenSyllables.Length)];
            given = r.NextDouble() < 0.35
                ? Capitalise(first)
                : Capitalise(first) + NameData.GivenSyllables[r.Next(NameData.GivenSyllables.Length)];
            ownLanguages = ["zh"];
        }
        else
        {
            var li = Pick(r, m.LocaleCumulative);
            var names = s.Names(li);
            given = names.FirstName();
            family = names.LastName();
            ownLanguages = NameData.InternationalLocales[li].Languages;
        }

        var fullName = chinese ? family + " " + given : given + " " + family;
        var email = $"{AsciiLower(given)}.{AsciiLower(family)}{index}@{EmailDomains[r.Next(EmailDomains.Length)]}";
        string? phone = null;
        if (r.NextDouble() < 0.7)
        {
            phone = chinese
                ? $"+86 1{MobilePrefixes[r.Next(MobilePrefixes.Length)]}{r.Next(10)} {r.Next(10000):D4} {r.Next(10000):D4}"
                : $"+1 555 01{r.Next(100):D2}";
        }

        string? orcid = null;
        if (r.NextDouble() < OrcidShare[stageIndex])
        {
            var baseDigits = r.NextDouble() < 0.15
                ? 900_000_000_000L + r.NextInt64(10_000_000L) // 0009-0000-xxxx-xxx? block
                : 15_000_000L + r.NextInt64(20_000_000L); // 0000-0001-5xxx-xxx? to 0000-0003-4xxx-xxx?
            orcid = Orcid.Create(baseDigits);
        }

        // Research fields: a primary subfield, then neighbours in the same field / discipline.
        var primary = track == TitleTrack.Clinical
            ? m.ClinicalPool[Pick(r, m.ClinicalCumulative)]
            : m.ResearchPool[Pick(r, m.ResearchCumulative)];
        var fieldCount = 1 + Pick(r, FieldCountCumulative);
        var fields = new List<int>(3) { primary };
        for (var attempt = 0; fields.Count < fieldCount && attempt < 10; attempt++)
        {
            var u = r.NextDouble();
            var siblings = m.Siblings[primary];
            var cousins = m.Cousins[primary];
            int candidate;
            if (u < 0.6 && siblings.Length > 0)
            {
                candidate = siblings[r.Next(siblings.Length)];
            }
            else if (u < 0.9 && cousins.Length > 0)
            {
                candidate = cousins[r.Next(cousins.Length)];
            }
            else
            {
                candidate = r.Next(m.Subfields.Length);
            }

            if (!fields.Contains(candidate))
            {
                fields.Add(candidate);
            }
        }

        // Years of experience (research or clinical career incl. doctoral/residency training), by stage.
        var years = stage switch
        {
            CareerStage.R1 => Triangular(r, 0, 1.5, 5),
            CareerStage.R2 => Triangular(r, 3, 6, 12),
            CareerStage.R3 => Triangular(r, 7, 12, 22),
            _ => Triangular(r, 13, 21, 38),
        };
        years = Math.Round(years * 2, MidpointRounding.AwayFromZero) / 2;

        // Degrees.
        var degrees = BuildDegrees(r, m, chinese, track, stage, years, refYear, primary);
        var highest = degrees.Length == 0 ? DegreeLevel.None : degrees[^1].Level;

        // Title (via the crosswalk) and current institution.
        var stageInfo = m.Stages.Get(stage);
        Title title;
        if (track == TitleTrack.Clinical)
        {
            title = stageInfo.ClinicalGrades[r.Next(stageInfo.ClinicalGrades.Length)];
        }
        else
        {
            var weights = ResearchTitleCumulative[stageIndex];
            var ti = weights.Length == stageInfo.ResearchTitles.Length
                ? Pick(r, weights)
                : r.Next(stageInfo.ResearchTitles.Length);
            title = stageInfo.ResearchTitles[ti];
        }

        var (instName, instId, city) = PickCurrentInstitution(r, m, chinese, track, title, primary);

        // Skills: mostly from the skills associated with the chosen fields, some general.
        var skillCount = stage switch
        {
            CareerStage.R1 => 4 + r.Next(4),
            CareerStage.R2 => 5 + r.Next(5),
            CareerStage.R3 => 6 + r.Next(6),
            _ => 6 + r.Next(7),
        };
        var skills = new List<int>(skillCount);
        for (var attempt = 0; skills.Count < skillCount && attempt < skillCount * 4; attempt++)
        {
            int candidate;
            var generalShare = stage >= CareerStage.R3 ? 0.22 : 0.10;
            if (r.NextDouble() < generalShare || m.SkillsOfSubfield[fields[0]].Length == 0)
            {
                candidate = m.GeneralSkills[r.Next(m.GeneralSkills.Length)];
            }
            else
            {
                var f = fields.Count == 1 ? fields[0] : fields[PickFieldForSkill(r, fields.Count)];
                var pool = m.SkillsOfSubfield[f];
                candidate = pool.Length == 0 ? m.GeneralSkills[r.Next(m.GeneralSkills.Length)] : pool[r.Next(pool.Length)];
            }

            if (!skills.Contains(candidate))
            {
                skills.Add(candidate);
            }
        }

        // Output: publications (log-normal, heavier for later stages), h-index, grants led.
        var clinicalFactor = track == TitleTrack.Clinical ? 0.7 : 1.0;
        var pubs = (int)Math.Floor(Math.Exp(Math.Log(PublicationMedian[stageIndex] * clinicalFactor) + 0.8 * Normal(r)));
        if (stage == CareerStage.R1)
        {
            pubs = Math.Max(0, pubs - 1);
        }

        pubs = Math.Min(pubs, 1500);
        var hIndex = pubs == 0 ? 0 : Math.Clamp((int)Math.Round(Math.Sqrt(pubs) * (1.1 + 1.4 * r.NextDouble())), 1, pubs);
        var grants = stage == CareerStage.R1 ? (r.NextDouble() < 0.05 ? 1 : 0) : Poisson(r, GrantMean[stageIndex]);

        // Talent-programme honours.
        var tier = (TalentTier)Pick(r, TierCumulative[stageIndex]);

        // Languages.
        var languages = new List<string>(4);
        languages.AddRange(ownLanguages);
        if (chinese)
        {
            if (r.NextDouble() < 0.92)
            {
                languages.Add("en");
            }

            foreach (var (lang, p) in ExtraLanguages)
            {
                if (r.NextDouble() < p && !languages.Contains(lang))
                {
                    languages.Add(lang);
                }
            }
        }
        else
        {
            if (!languages.Contains("en"))
            {
                languages.Add("en");
            }

            if (r.NextDouble() < 0.25)
            {
                languages.Add("zh");
            }
        }

        // Preferred cities: 0–3, mostly the seed institutions' cities.
        var cityCount = Pick(r, CityCountCumulative);
        var cities = new List<string>(3);
        for (var attempt = 0; cities.Count < cityCount && attempt < 10; attempt++)
        {
            var c = r.NextDouble() < 0.7
                ? SeedCities[Pick(r, SeedCityCumulative)]
                : OtherCities[r.Next(OtherCities.Length)];
            if (!cities.Contains(c))
            {
                cities.Add(c);
            }
        }

        // Employment modes accepted.
        var modes = EmploymentModes.None;
        if (r.NextDouble() < FullTimeShare[stageIndex])
        {
            modes |= EmploymentModes.FullTime;
        }

        if (r.NextDouble() < FlexibleShare[stageIndex])
        {
            modes |= EmploymentModes.FlexiblePartTime;
        }

        if (r.NextDouble() < VisitingShare[stageIndex])
        {
            modes |= EmploymentModes.Visiting;
        }

        if (modes == EmploymentModes.None)
        {
            modes = EmploymentModes.FullTime;
        }

        var earliestStart = ReferenceDate.AddDays(r.Next(track == TitleTrack.Clinical ? 30 : 0, 366));
        var consent = r.NextDouble() < 0.95;
        DateTimeOffset? consentAt = consent
            ? new DateTimeOffset(ReferenceDate.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddSeconds(-r.NextInt64(730L * 86_400))
            : null;

        return new SyntheticProfile(
            id, fullName, family, given, chinese, email, phone, orcid,
            degrees, highest,
            instName, instId, city, title, track, stage,
            fields.Select(f => m.Subfields[f]).ToImmutableArray(),
            skills.Select(k => m.SkillNames[k]).ToImmutableArray(),
            years, pubs, hIndex, grants, tier,
            [.. languages], [.. cities], modes, earliestStart, consent, consentAt);
    }

    private static ImmutableArray<DegreeRecord> BuildDegrees(
        Random r, Model m, bool chinese, TitleTrack track, CareerStage stage, double years, int refYear, int primary)
    {
        var subfield = m.Subfields[primary];
        var fieldCode = subfield[..subfield.LastIndexOf('.')];
        var discipline = subfield[..subfield.IndexOf('.')];
        DegreeLevel highest;
        if (track == TitleTrack.Clinical)
        {
            highest = stage switch
            {
                CareerStage.R1 => r.NextDouble() < 0.4 ? DegreeLevel.Bachelor : DegreeLevel.Master,
                CareerStage.R2 => PickDegree(r, 0.10, 0.40),
                CareerStage.R3 => PickDegree(r, 0.07, 0.33),
                _ => PickDegree(r, 0.05, 0.30),
            };
        }
        else
        {
            highest = stage == CareerStage.R1
                ? (r.NextDouble() < 0.35 ? DegreeLevel.Bachelor : DegreeLevel.Master)
                : (r.NextDouble() < 0.97 ? DegreeLevel.Doctorate : DegreeLevel.Master);
        }

        // Year of the highest degree: R1 finished it recently; later stages roughly (experience - training) ago.
        int highestYear = highest switch
        {
            DegreeLevel.Doctorate => refYear - (int)Math.Max(0, Math.Round(years - 4 + r.NextDouble())),
            _ when stage == CareerStage.R1 => refYear - r.Next(0, 4),
            _ => refYear - (int)Math.Max(0, Math.Round(years - 2 + r.NextDouble())),
        };

        var abroad = chinese ? 0.12 : 0.85;
        var list = new List<DegreeRecord>(3);
        var directPhd = highest == DegreeLevel.Doctorate && r.NextDouble() < 0.35;
        var bachelorYear = highest switch
        {
            DegreeLevel.Bachelor => highestYear,
            DegreeLevel.Master => highestYear - 3,
            _ => directPhd ? highestYear - 5 : highestYear - 6,
        };
        var bachelorField = track == TitleTrack.Clinical ? "CLIN" : discipline;
        list.Add(new DegreeRecord(DegreeLevel.Bachelor, bachelorField, DegreeInstitution(r, m, chinese ? 0.03 : 0.9), bachelorYear));
        if (highest >= DegreeLevel.Master && !directPhd)
        {
            var masterYear = highest == DegreeLevel.Master ? highestYear : highestYear - 3;
            list.Add(new DegreeRecord(DegreeLevel.Master, fieldCode, DegreeInstitution(r, m, abroad * 0.5), masterYear));
        }

        if (highest == DegreeLevel.Doctorate)
        {
            list.Add(new DegreeRecord(DegreeLevel.Doctorate, fieldCode, DegreeInstitution(r, m, abroad), highestYear));
        }

        return [.. list];
    }

    private static DegreeLevel PickDegree(Random r, double bachelor, double master)
    {
        var u = r.NextDouble();
        return u < bachelor ? DegreeLevel.Bachelor : u < bachelor + master ? DegreeLevel.Master : DegreeLevel.Doctorate;
    }

    private static string DegreeInstitution(Random r, Model m, double abroadShare) =>
        r.NextDouble() < abroadShare
            ? InternationalInstitutions[r.Next(InternationalInstitutions.Length)].Name
            : DomesticUniversities[r.Next(DomesticUniversities.Length)].Name;

    private static (string Name, Guid? Id, string City) PickCurrentInstitution(
        Random r, Model m, bool chinese, TitleTrack track, Title title, int primary)
    {
        if (track == TitleTrack.Clinical)
        {
            if (r.NextDouble() < 0.35)
            {
                var h = m.SeedHospitals[r.Next(m.SeedHospitals.Length)];
                return (h.NameEn, h.Id, h.City);
            }

            var o = OtherHospitals[r.Next(OtherHospitals.Length)];
            return (o.Name, null, o.City);
        }

        if (r.NextDouble() < (chinese ? 0.08 : 0.7))
        {
            var i = InternationalInstitutions[r.Next(InternationalInstitutions.Length)];
            return (i.Name, null, i.City);
        }

        var academic = title.En is "Lecturer" or "Associate professor" or "Professor";
        if (r.NextDouble() < 0.35)
        {
            // A seed institution whose focus is close to the primary field, if any.
            var candidates = academic ? m.SeedUniversities : m.SeedResearchBySubfield[primary];
            if (candidates.Length > 0)
            {
                var c = candidates[r.Next(candidates.Length)];
                return (c.NameEn, c.Id, c.City);
            }
        }

        var u = DomesticUniversities[r.Next(DomesticUniversities.Length)];
        return (u.Name, null, u.City);
    }

    private static int PickFieldForSkill(Random r, int count)
    {
        var u = r.NextDouble();
        return count == 2 ? (u < 0.65 ? 0 : 1) : (u < 0.55 ? 0 : u < 0.8 ? 1 : 2);
    }

    // ---------------------------------------------------------------- distributions (see README)

    private static readonly double[] StageCumulative = Cumulative([0.30, 0.35, 0.25, 0.10]);
    private static readonly double[] FieldCountCumulative = Cumulative([0.30, 0.45, 0.25]);
    private static readonly double[] CityCountCumulative = Cumulative([0.15, 0.35, 0.30, 0.20]);
    private static readonly double[] OrcidShare = [0.35, 0.65, 0.80, 0.85];
    private static readonly double[] PublicationMedian = [2, 8, 28, 80];
    private static readonly double[] GrantMean = [0, 0.6, 2.5, 6];
    private static readonly double[] FullTimeShare = [0.97, 0.95, 0.80, 0.65];
    private static readonly double[] FlexibleShare = [0.05, 0.12, 0.35, 0.50];
    private static readonly double[] VisitingShare = [0.03, 0.08, 0.15, 0.30];

    /// <summary>P(None, Young, Provincial, National) per stage.</summary>
    private static readonly double[][] TierCumulative =
    [
        Cumulative([1.0, 0, 0, 0]),
        Cumulative([0.92, 0.08, 0, 0]),
        Cumulative([0.70, 0.18, 0.10, 0.02]),
        Cumulative([0.45, 0.10, 0.30, 0.15]),
    ];

    /// <summary>Weights of the research titles of each stage, in the order of career-stages.json.</summary>
    private static readonly double[][] ResearchTitleCumulative =
    [
        Cumulative([0.70, 0.30]),
        Cumulative([0.50, 0.30, 0.20]),
        Cumulative([0.40, 0.35, 0.25]),
        Cumulative([0.45, 0.55]),
    ];

    private static readonly (string Lang, double P)[] ExtraLanguages =
        [("ja", 0.04), ("de", 0.02), ("fr", 0.015), ("ko", 0.01), ("ru", 0.01), ("es", 0.01)];

    private static readonly string[] SeedCities = ["Chongqing", "Shenzhen", "Chengdu", "Mianyang", "Wuhan"];
    private static readonly double[] SeedCityCumulative = Cumulative([0.30, 0.30, 0.20, 0.08, 0.12]);
    private static readonly string[] OtherCities = ["Beijing", "Shanghai", "Guangzhou", "Hangzhou", "Nanjing", "Xi'an", "Hong Kong"];

    private static readonly string[] EmailDomains =
        ["example.com", "example.org", "example.net", "mail.example.com", "research.example.org", "hospital.example.net"];

    private static readonly string[] MobilePrefixes = ["3", "5", "7", "8", "9"];

    private static readonly (string Name, string City)[] DomesticUniversities =
    [
        ("Peking University", "Beijing"), ("Tsinghua University", "Beijing"), ("Fudan University", "Shanghai"),
        ("Shanghai Jiao Tong University", "Shanghai"), ("Zhejiang University", "Hangzhou"), ("Sun Yat-sen University", "Guangzhou"),
        ("Sichuan University", "Chengdu"), ("Chongqing University", "Chongqing"), ("Chongqing Medical University", "Chongqing"),
        ("Wuhan University", "Wuhan"), ("Huazhong University of Science and Technology", "Wuhan"), ("Central South University", "Changsha"),
        ("Nanjing University", "Nanjing"), ("University of Science and Technology of China", "Hefei"),
        ("Southern University of Science and Technology", "Shenzhen"), ("Xi'an Jiaotong University", "Xi'an"),
        ("Southern Medical University", "Guangzhou"), ("Army Medical University", "Chongqing"), ("Southwest University", "Chongqing"),
        ("University of Electronic Science and Technology of China", "Chengdu"), ("Peking Union Medical College", "Beijing"),
        ("Capital Medical University", "Beijing"), ("Shenzhen University", "Shenzhen"), ("The University of Hong Kong", "Hong Kong"),
    ];

    private static readonly (string Name, string City)[] InternationalInstitutions =
    [
        ("Karolinska Institutet", "Stockholm"), ("University of Oxford", "Oxford"), ("University College London", "London"),
        ("Harvard University", "Boston"), ("Stanford University", "Stanford"), ("University of California, San Francisco", "San Francisco"),
        ("Johns Hopkins University", "Baltimore"), ("National University of Singapore", "Singapore"), ("University of Toronto", "Toronto"),
        ("Heidelberg University", "Heidelberg"), ("University of Melbourne", "Melbourne"), ("ETH Zurich", "Zurich"),
        ("Institut Pasteur", "Paris"), ("University of Tokyo", "Tokyo"), ("KU Leuven", "Leuven"), ("University of Cambridge", "Cambridge"),
    ];

    private static readonly (string Name, string City)[] OtherHospitals =
    [
        ("The First Affiliated Hospital of Chongqing Medical University", "Chongqing"),
        ("The Second Affiliated Hospital of Chongqing Medical University", "Chongqing"),
        ("Sichuan Provincial People's Hospital", "Chengdu"), ("Xiangya Hospital of Central South University", "Changsha"),
        ("Peking Union Medical College Hospital", "Beijing"), ("Ruijin Hospital", "Shanghai"), ("Zhongshan Hospital of Fudan University", "Shanghai"),
        ("Tongji Hospital", "Wuhan"), ("Union Hospital of Tongji Medical College", "Wuhan"), ("Peking University Shenzhen Hospital", "Shenzhen"),
        ("The First Affiliated Hospital of Sun Yat-sen University", "Guangzhou"), ("Mianyang Central Hospital", "Mianyang"),
    ];

    // ---------------------------------------------------------------- helpers

    private static double[] Cumulative(double[] weights)
    {
        var total = weights.Sum();
        var c = new double[weights.Length];
        var acc = 0.0;
        for (var i = 0; i < weights.Length; i++)
        {
            acc += weights[i] / total;
            c[i] = acc;
        }

        c[^1] = 1.0;
        return c;
    }

    private static int Pick(Random r, double[] cumulative)
    {
        var u = r.NextDouble();
        var i = Array.BinarySearch(cumulative, u);
        if (i < 0)
        {
            i = ~i;
        }
        else
        {
            i++; // u exactly on a boundary belongs to the next bucket
        }

        // Skip zero-weight buckets that share the same cumulative value.
        while (i < cumulative.Length - 1 && (i > 0 ? cumulative[i] == cumulative[i - 1] : cumulative[i] == 0))
        {
            i++;
        }

        return Math.Min(i, cumulative.Length - 1);
    }

    private static double Triangular(Random r, double min, double mode, double max)
    {
        var u = r.NextDouble();
        var f = (mode - min) / (max - min);
        return u < f
            ? min + Math.Sqrt(u * (max - min) * (mode - min))
            : max - Math.Sqrt((1 - u) * (max - min) * (max - mode));
    }

    private static double Normal(Random r)
    {
        var u1 = 1.0 - r.NextDouble();
        var u2 = r.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private static int Poisson(Random r, double mean)
    {
        if (mean <= 0)
        {
            return 0;
        }

        var l = Math.Exp(-mean);
        var k = 0;
        var p = 1.0;
        do
        {
            k++;
            p *= r.NextDouble();
        }
        while (p > l);
        return k - 1;
    }

    private static Guid NewGuid(Random r)
    {
        Span<byte> b = stackalloc byte[16];
        r.NextBytes(b);
        b[7] = (byte)((b[7] & 0x0F) | 0x40); // version 4 (little-endian layout of Guid)
        b[8] = (byte)((b[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(b);
    }

    private static string Capitalise(string s) => char.ToUpperInvariant(s[0]) + s[1..];

    private static string AsciiLower(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var ch in s.Normalize(NormalizationForm.FormD))
        {
            if (ch is >= 'a' and <= 'z' or >= '0' and <= '9')
            {
                sb.Append(ch);
            }
            else if (ch is >= 'A' and <= 'Z')
            {
                sb.Append((char)(ch + 32));
            }
        }

        return sb.Length == 0 ? "user" : sb.ToString();
    }

    /// <summary>Mutable per-run state: the seeded random source and lazily created Bogus name data sets.</summary>
    private sealed class RunState(int seed)
    {
        private readonly Name?[] _names = new Name?[NameData.InternationalLocales.Length];
        private readonly Randomizer _bogusRandom = new(unchecked(seed * 31 + 17));

        public Random Random { get; } = new(seed);

        public Name Names(int localeIndex) =>
            _names[localeIndex] ??= new Name(NameData.InternationalLocales[localeIndex].Locale) { Random = _bogusRandom };
    }

    /// <summary>Everything precomputed once from the seed data.</summary>
    private sealed class Model
    {
        public Model(ResearchFieldTaxonomy taxonomy, SkillVocabulary vocabulary, CareerStages stages, Institutions institutions)
        {
            Stages = stages;
            Subfields = taxonomy.Subfields.Select(f => f.Code).ToArray();
            Siblings = new int[Subfields.Length][];
            Cousins = new int[Subfields.Length][];
            for (var i = 0; i < Subfields.Length; i++)
            {
                var code = Subfields[i];
                var field = code[..code.LastIndexOf('.')];
                var discipline = code[..code.IndexOf('.')];
                Siblings[i] = Subfields.Select((c, j) => (c, j))
                    .Where(x => x.j != i && x.c.StartsWith(field + ".", StringComparison.Ordinal)).Select(x => x.j).ToArray();
                Cousins[i] = Subfields.Select((c, j) => (c, j))
                    .Where(x => x.c.StartsWith(discipline + ".", StringComparison.Ordinal) && !x.c.StartsWith(field + ".", StringComparison.Ordinal))
                    .Select(x => x.j).ToArray();
            }

            SkillNames = vocabulary.All.Select(s => s.Name).ToArray();
            var skillIndex = SkillNames.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i, StringComparer.Ordinal);
            GeneralSkills = vocabulary.General.Select(s => skillIndex[s.Name]).ToArray();
            // A subfield's skills: those associated with the subfield itself or any of its ancestors.
            SkillsOfSubfield = Subfields
                .Select(code => vocabulary.All
                    .Where(s => s.Fields.Any(f => ResearchFieldTaxonomy.IsSelfOrAncestor(f, code)))
                    .Select(s => skillIndex[s.Name]).ToArray())
                .ToArray();

            // Primary-field pools: research track weighted by discipline, clinical track mostly clinical subfields.
            var researchWeights = new Dictionary<string, double>
            {
                ["MED"] = 18, ["LIFE"] = 14, ["NEURO"] = 12, ["BIOMED"] = 18, ["DIAG"] = 6, ["PHARM"] = 8, ["ENG"] = 8,
                ["INFO"] = 12, ["PH"] = 4, ["CLIN"] = 0,
            };
            (ResearchPool, ResearchCumulative) = Pool(code => researchWeights.GetValueOrDefault(code[..code.IndexOf('.')], 4));
            (ClinicalPool, ClinicalCumulative) = Pool(code =>
                code.StartsWith("CLIN.", StringComparison.Ordinal) ? 80
                : code.StartsWith("DIAG.LAB.", StringComparison.Ordinal) || code.StartsWith("PH.TRIAL.", StringComparison.Ordinal)
                  || code.StartsWith("PHARM.CLIN.", StringComparison.Ordinal) || code.StartsWith("MED.PATH.", StringComparison.Ordinal) ? 5
                : 0);

            FamilyNames = NameData.ChineseFamilyNames.Select(x => x.Name).ToArray();
            FamilyCumulative = Cumulative(NameData.ChineseFamilyNames.Select(x => x.Weight).ToArray());
            LocaleCumulative = Cumulative(NameData.InternationalLocales.Select(x => x.Weight).ToArray());

            SeedHospitals = institutions.All.Where(i => i.Kind == InstitutionKind.Hospital).ToArray();
            SeedUniversities = institutions.All.Where(i => i.Kind == InstitutionKind.University).ToArray();
            var research = institutions.All.Where(i => i.Kind != InstitutionKind.Hospital).ToArray();
            SeedResearchBySubfield = Subfields
                .Select(code => research.Where(i => i.FocusFields.Any(f => ResearchFieldTaxonomy.Proximity(f, code) >= 2.0 / 3.0
                    || ResearchFieldTaxonomy.IsSelfOrAncestor(f, code))).ToArray())
                .ToArray();

            (int[] Pool, double[] Cumulative) Pool(Func<string, double> weightOf)
            {
                var items = Subfields.Select((c, i) => (i, w: weightOf(c))).Where(x => x.w > 0).ToArray();
                // Spread each discipline's weight evenly over its subfields.
                var perDiscipline = items.GroupBy(x => Subfields[x.i][..Subfields[x.i].IndexOf('.')])
                    .ToDictionary(g => g.Key, g => g.Count());
                var weights = items.Select(x => x.w / perDiscipline[Subfields[x.i][..Subfields[x.i].IndexOf('.')]]).ToArray();
                return (items.Select(x => x.i).ToArray(), Cumulative(weights));
            }

        }

        public CareerStages Stages { get; }

        public string[] Subfields { get; }

        public int[][] Siblings { get; }

        public int[][] Cousins { get; }

        public string[] SkillNames { get; }

        public int[] GeneralSkills { get; }

        public int[][] SkillsOfSubfield { get; }

        public int[] ResearchPool { get; }

        public double[] ResearchCumulative { get; }

        public int[] ClinicalPool { get; }

        public double[] ClinicalCumulative { get; }

        public string[] FamilyNames { get; }

        public double[] FamilyCumulative { get; }

        public double[] LocaleCumulative { get; }

        public Institution[] SeedHospitals { get; }

        public Institution[] SeedUniversities { get; }

        public Institution[][] SeedResearchBySubfield { get; }
    }
}
