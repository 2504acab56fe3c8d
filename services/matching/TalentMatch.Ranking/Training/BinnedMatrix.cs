using TalentMatch.Ranking.Data;

namespace TalentMatch.Ranking.Training;

/// <summary>Quantile bins of one feature. Bin i holds values in (Upper[i−1], Upper[i]]; NaN has its own last bin.</summary>
internal sealed class BinMapper
{
    public BinMapper(float[] upper, bool hasNaN)
    {
        Upper = upper;
        HasNaN = hasNaN;
        BinCount = upper.Length + (hasNaN ? 1 : 0);
    }

    /// <summary>Upper bound per value bin (the last one is +∞). A split after bin b sends <c>x &lt;= Upper[b]</c> left.</summary>
    public float[] Upper { get; }
    public bool HasNaN { get; }
    public int BinCount { get; }

    public int BinOf(float v)
    {
        if (float.IsNaN(v)) return BinCount - 1; // NaN bin (or the last bin), always on the right of any split
        var u = Upper;
        int lo = 0, hi = u.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi) >> 1;
            if (v <= u[mid]) hi = mid; else lo = mid + 1;
        }
        return lo;
    }

    /// <summary>Bin of a non-NaN value: branch-free lower-bound search over the upper bounds.</summary>
    public int BinOfNumber(float v)
    {
        var u = Upper;
        int lo = 0, len = u.Length;
        // Invariant: the answer is in [lo, lo + len); the last bound is +inf so the answer exists.
        while (len > 1)
        {
            int half = len >> 1;
            lo = u[lo + half - 1] < v ? lo + half : lo;
            len -= half;
        }
        return lo;
    }

    /// <summary>Greedy equal-frequency bins over sorted sample values; frequent values get their own bin.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static BinMapper Fit(Span<float> sample, int maxBins)
    {
        // Zeros (absent sparse entries) are counted, not sorted; NaNs get their own bin.
        int nanCount = 0, zeroCount = 0;
        int w = 0;
        for (int i = 0; i < sample.Length; i++)
        {
            float v = sample[i];
            if (float.IsNaN(v)) nanCount++;
            else if (v == 0f) zeroCount++;
            else sample[w++] = v;
        }
        var values = sample[..w];
        values.Sort();
        // Distinct values with counts (zero inserted at its place).
        var distinct = new List<float>();
        var counts = new List<int>();
        bool zeroDone = zeroCount == 0;
        for (int i = 0; i < values.Length; i++)
        {
            if (!zeroDone && values[i] > 0f) { distinct.Add(0f); counts.Add(zeroCount); zeroDone = true; }
            if (distinct.Count > 0 && values[i] == distinct[^1]) counts[^1]++;
            else { distinct.Add(values[i]); counts.Add(1); }
        }
        if (!zeroDone) { distinct.Add(0f); counts.Add(zeroCount); }
        int total = values.Length + zeroCount;
        int valueBins = nanCount > 0 ? Math.Max(1, Math.Min(maxBins, 255)) : maxBins;
        var upper = new List<float>();
        int d = distinct.Count;
        if (d <= valueBins)
        {
            for (int i = 0; i + 1 < d; i++) upper.Add(Mid(distinct[i], distinct[i + 1]));
        }
        else
        {
            double rest = total;
            int binsLeft = valueBins;
            double acc = 0;
            for (int i = 0; i + 1 < d && binsLeft > 1; i++)
            {
                acc += counts[i];
                double target = rest / binsLeft;
                if (acc >= target || counts[i + 1] >= target)
                {
                    upper.Add(Mid(distinct[i], distinct[i + 1]));
                    rest -= acc;
                    acc = 0;
                    binsLeft--;
                }
            }
        }
        upper.Add(float.PositiveInfinity);
        return new BinMapper(upper.ToArray(), nanCount > 0);
    }

    private static float Mid(float a, float b)
    {
        float m = (float)((a + (double)b) * 0.5);
        // Keep a <= m < b so that a goes left and b goes right.
        if (!(m >= a) || m >= b) m = a;
        return m;
    }
}

/// <summary>Training features binned to bytes, row-major (rows × features), plus per-feature histogram offsets.</summary>
internal sealed class BinnedMatrix
{
    public required BinMapper[] Mappers { get; init; }
    public required byte[] Bins { get; init; }     // pinned, RowCount * FeatureCount
    public required int[] Offsets { get; init; }   // FeatureCount + 1, start of each feature's bins in a histogram
    public int RowCount { get; init; }
    public int FeatureCount { get; init; }
    public int TotalBins => Offsets[^1];

    public static BinnedMatrix Create(RankingDataset data, int maxBins, int sampleRows, int seed, int threads)
    {
        int n = data.RowCount, fc = data.FeatureCount;
        int[] sampleIdx;
        if (sampleRows > 0 && n > sampleRows)
        {
            // Deterministic sample without replacement (selection sampling keeps row order).
            sampleIdx = new int[sampleRows];
            var rng = new SplitMix64((ulong)seed ^ 0x9E3779B97F4A7C15UL);
            int need = sampleRows, k = 0;
            for (int r = 0; r < n && need > 0; r++)
            {
                if (rng.NextDouble() * (n - r) < need) { sampleIdx[k++] = r; need--; }
            }
        }
        else
        {
            sampleIdx = new int[n];
            for (int i = 0; i < n; i++) sampleIdx[i] = i;
        }

        var mappers = new BinMapper[fc];
        var bins = GC.AllocateUninitializedArray<byte>(checked(n * fc), pinned: true);
        var x = data.Features;
        // Features are processed in blocks: a block of columns is transposed once (sequential reads), then each
        // column is sampled/sorted for its bin bounds and binned with a branch-free search.
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads },
            t => BinFeatures(x, n, fc, (int)((long)fc * t / threads), (int)((long)fc * (t + 1) / threads), sampleIdx, maxBins, mappers, bins));
        var offsets = new int[fc + 1];
        for (int f = 0; f < fc; f++) offsets[f + 1] = offsets[f] + mappers[f].BinCount;
        return new BinnedMatrix { Mappers = mappers, Bins = bins, Offsets = offsets, RowCount = n, FeatureCount = fc };
    }

    /// <summary>Bins one column into the row-major matrix; four searches run interleaved to hide load latency.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void BinColumn(BinMapper m, float[] column, byte[] bins, int f, int fc)
    {
        var u = m.Upper;
        int n = column.Length;
        byte nanBin = (byte)(m.BinCount - 1);
        int r = 0;
        for (; r + 4 <= n; r += 4)
        {
            float v0 = column[r], v1 = column[r + 1], v2 = column[r + 2], v3 = column[r + 3];
            int l0 = 0, l1 = 0, l2 = 0, l3 = 0, len = u.Length;
            while (len > 1)
            {
                int half = len >> 1;
                l0 = u[l0 + half - 1] < v0 ? l0 + half : l0;
                l1 = u[l1 + half - 1] < v1 ? l1 + half : l1;
                l2 = u[l2 + half - 1] < v2 ? l2 + half : l2;
                l3 = u[l3 + half - 1] < v3 ? l3 + half : l3;
                len -= half;
            }
            bins[(long)r * fc + f] = float.IsNaN(v0) ? nanBin : (byte)l0;
            bins[(long)(r + 1) * fc + f] = float.IsNaN(v1) ? nanBin : (byte)l1;
            bins[(long)(r + 2) * fc + f] = float.IsNaN(v2) ? nanBin : (byte)l2;
            bins[(long)(r + 3) * fc + f] = float.IsNaN(v3) ? nanBin : (byte)l3;
        }
        for (; r < n; r++)
        {
            float v = column[r];
            bins[(long)r * fc + f] = float.IsNaN(v) ? nanBin : (byte)m.BinOfNumber(v);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void BinFeatures(float[] x, int n, int fc, int from, int to, int[] sampleIdx, int maxBins, BinMapper[] mappers, byte[] bins)
    {
        {
            if (from == to) return;
            var column = new float[n];
            var sample = new float[sampleIdx.Length];
            for (int f = from; f < to; f++)
            {
                for (int r = 0; r < n; r++) column[r] = x[(long)r * fc + f];
                for (int i = 0; i < sample.Length; i++) sample[i] = column[sampleIdx[i]];
                var m = BinMapper.Fit(sample, maxBins);
                mappers[f] = m;
                BinColumn(m, column, bins, f, fc);
            }
        }
    }
}

/// <summary>Small, fast, seedable PRNG (SplitMix64) so results never depend on the runtime's Random implementation.</summary>
internal struct SplitMix64
{
    private ulong _state;
    public SplitMix64(ulong seed) { _state = seed; }

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n).</summary>
    public int NextInt(int n) => (int)((NextUInt64() >> 33) % (ulong)n);
}
