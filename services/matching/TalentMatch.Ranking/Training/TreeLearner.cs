using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using TalentMatch.Ranking.Model;

namespace TalentMatch.Ranking.Training;

/// <summary>
/// Grows one regression tree leaf-wise (best-first) on binned features with gradient histograms.
/// Histogram entries are (Σg, Σh, count, 0) in one 256-bit vector. The smaller child's histogram is built from
/// its rows; the larger child's is the parent's minus the smaller's. With several threads, rows are split into
/// fixed contiguous blocks whose histograms are summed in block order, so results depend on the thread count
/// but never on scheduling.
/// </summary>
internal sealed unsafe class TreeLearner
{
    private readonly BinnedMatrix _data;
    private readonly LambdaMartOptions _o;
    private readonly int _threads;
    private readonly int _fc;
    private readonly byte* _bins;
    private readonly int[] _offsets;
    private readonly List<Vector256<double>[]> _histPool = new();
    private readonly Vector256<double>[][] _scratch;
    private readonly int _totalBins;

    // Row partition: rows of leaf l are _rows[_leafStart[l] .. _leafStart[l] + _leafCount[l]).
    private readonly int[] _rows;
    private readonly int[] _tmp;
    private int[]? _tmp2;

    // Per-leaf state.
    private readonly int[] _leafStart, _leafCount, _leafHist, _leafDepth, _leafParent;
    private readonly bool[] _leafIsLeft;
    private readonly double[] _leafG, _leafH;
    private readonly SplitInfo[] _best;

    // Tree under construction.
    private readonly int[] _nFeature, _nBin, _nLeft, _nRight;
    private readonly float[] _nThreshold;
    private readonly double[] _nGain, _nCover;

    private struct SplitInfo
    {
        public int Feature;
        public int Bin;
        public double Gain; // gain over the parent (without MinSplitGain); NegativeInfinity = no split
        public double LeftG, LeftH;
        public int LeftCount;
    }

    public TreeLearner(BinnedMatrix data, LambdaMartOptions options)
    {
        _data = data;
        _o = options;
        _threads = options.Threads;
        _fc = data.FeatureCount;
        fixed (byte* p = data.Bins) _bins = p; // Bins is allocated pinned.
        _offsets = data.Offsets;
        _totalBins = data.TotalBins;
        _rows = new int[data.RowCount];
        _tmp = new int[data.RowCount];
        int L = options.NumberOfLeaves;
        _leafStart = new int[L]; _leafCount = new int[L]; _leafHist = new int[L]; _leafDepth = new int[L]; _leafParent = new int[L];
        _leafIsLeft = new bool[L]; _leafG = new double[L]; _leafH = new double[L]; _best = new SplitInfo[L];
        _nFeature = new int[L]; _nBin = new int[L]; _nLeft = new int[L]; _nRight = new int[L];
        _nThreshold = new float[L]; _nGain = new double[L]; _nCover = new double[L];
        _scratch = new Vector256<double>[Math.Max(0, _threads - 1)][];
        for (int i = 0; i < _scratch.Length; i++) _scratch[i] = GC.AllocateUninitializedArray<Vector256<double>>(_totalBins, pinned: true);
    }

    /// <summary>Result of growing a tree: the tree plus each leaf's rows in the partition (for the score update).</summary>
    public sealed class Grown
    {
        public required RegressionTree Tree { get; init; }
        public required int[] BinThresholds { get; init; }
        public required int[] Rows { get; init; }
        public required int[] LeafStart { get; init; }
        public required int[] LeafCount { get; init; }
    }

    /// <param name="rows">Rows used for this tree (sorted ascending).</param>
    /// <param name="gh">Per-row (g, h, 1, 0).</param>
    /// <param name="featureAllowed">Features that may be split on in this tree.</param>
    public Grown Grow(ReadOnlySpan<int> rows, Vector256<double>[] gh, bool[] featureAllowed)
    {
        int m = rows.Length;
        rows.CopyTo(_rows);
        int numLeaves = 1, numNodes = 0;
        _leafStart[0] = 0; _leafCount[0] = m; _leafDepth[0] = 0; _leafParent[0] = -1;
        double g0 = 0, h0 = 0;
        for (int i = 0; i < m; i++) { var v = gh[_rows[i]]; g0 += v.GetElement(0); h0 += v.GetElement(1); }
        _leafG[0] = g0; _leafH[0] = h0;
        int freeHist = 0;
        _leafHist[0] = freeHist++;
        EnsureHist(0);
        bool canSplitRoot = m >= 2 * _o.MinRowsPerLeaf && _o.NumberOfLeaves > 1;
        _best[0] = NoSplit();
        if (canSplitRoot)
        {
            BuildHistogram(_histPool[0], 0, m, gh);
            FindBestSplit(0, featureAllowed);
        }

        while (numLeaves < _o.NumberOfLeaves)
        {
            int bestLeaf = -1;
            double bestGain = double.NegativeInfinity;
            for (int l = 0; l < numLeaves; l++)
                if (_best[l].Gain > bestGain) { bestGain = _best[l].Gain; bestLeaf = l; }
            if (bestLeaf < 0 || !(bestGain > _o.MinSplitGain) || !(bestGain > 0)) break;

            var s = _best[bestLeaf];
            int l0 = bestLeaf, r0 = numLeaves++;
            int start = _leafStart[l0], count = _leafCount[l0];
            int leftCount = Partition(start, count, s.Feature, s.Bin);
            if (leftCount != s.LeftCount) throw new InvalidOperationException("Internal error: partition disagrees with the histogram.");

            int node = numNodes++;
            _nFeature[node] = s.Feature; _nBin[node] = s.Bin; _nThreshold[node] = _data.Mappers[s.Feature].Upper[s.Bin];
            _nGain[node] = s.Gain; _nCover[node] = count;
            _nLeft[node] = ~l0; _nRight[node] = ~r0;
            int parent = _leafParent[l0];
            if (parent >= 0) { if (_leafIsLeft[l0]) _nLeft[parent] = node; else _nRight[parent] = node; }

            int depth = _leafDepth[l0] + 1;
            double pg = _leafG[l0], ph = _leafH[l0];
            _leafStart[r0] = start + leftCount; _leafCount[r0] = count - leftCount;
            _leafG[r0] = pg - s.LeftG; _leafH[r0] = ph - s.LeftH;
            _leafDepth[r0] = depth; _leafParent[r0] = node; _leafIsLeft[r0] = false;
            _leafCount[l0] = leftCount; _leafG[l0] = s.LeftG; _leafH[l0] = s.LeftH;
            _leafDepth[l0] = depth; _leafParent[l0] = node; _leafIsLeft[l0] = true;
            _best[l0] = NoSplit(); _best[r0] = NoSplit();

            if (numLeaves >= _o.NumberOfLeaves) break; // no further split: children's histograms are not needed
            bool depthOk = _o.MaxDepth <= 0 || depth < _o.MaxDepth;
            bool splitL = depthOk && _leafCount[l0] >= 2 * _o.MinRowsPerLeaf;
            bool splitR = depthOk && _leafCount[r0] >= 2 * _o.MinRowsPerLeaf;
            if (!splitL && !splitR) continue;

            int small = _leafCount[l0] <= _leafCount[r0] ? l0 : r0;
            int large = small == l0 ? r0 : l0;
            int parentHist = _leafHist[l0];
            int newHist = freeHist++;
            EnsureHist(newHist);
            _leafHist[small] = newHist;
            _leafHist[large] = parentHist;
            BuildHistogram(_histPool[newHist], _leafStart[small], _leafCount[small], gh);
            Subtract(_histPool[parentHist], _histPool[newHist]);
            if (splitL && splitR && _threads > 1 && _totalBins >= 2048)
                Parallel.Invoke(new ParallelOptions { MaxDegreeOfParallelism = 2 },
                    () => FindBestSplit(l0, featureAllowed), () => FindBestSplit(r0, featureAllowed));
            else
            {
                if (splitL) FindBestSplit(l0, featureAllowed);
                if (splitR) FindBestSplit(r0, featureAllowed);
            }
        }

        // Leaves -> values; internal nodes -> arrays.
        var leafValues = new double[numLeaves];
        var leafCovers = new double[numLeaves];
        for (int l = 0; l < numLeaves; l++)
        {
            double denom = _leafH[l] + _o.L2;
            leafValues[l] = denom > 0 ? -_leafG[l] / denom * _o.LearningRate : 0.0;
            leafCovers[l] = _leafCount[l];
        }
        var tree = new RegressionTree(_nFeature[..numNodes], _nThreshold[..numNodes], _nLeft[..numNodes], _nRight[..numNodes],
            _nGain[..numNodes], _nCover[..numNodes], leafValues, leafCovers);
        return new Grown
        {
            Tree = tree,
            BinThresholds = _nBin[..numNodes],
            Rows = _rows,
            LeafStart = _leafStart[..numLeaves],
            LeafCount = _leafCount[..numLeaves],
        };
    }

    private static SplitInfo NoSplit() => new() { Feature = -1, Gain = double.NegativeInfinity };

    private void EnsureHist(int index)
    {
        while (_histPool.Count <= index) _histPool.Add(GC.AllocateUninitializedArray<Vector256<double>>(_totalBins, pinned: true));
    }

    /// <summary>Stable partition of a leaf's rows: bin &lt;= threshold to the left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Partition(int start, int count, int feature, int bin)
    {
        int threads = _threads;
        if (threads > 1 && count >= 65536) return PartitionParallel(start, count, feature, bin, threads);
        // In place: lefts are written at or before the position being read.
        PartitionBlock(start, start + count, feature, bin, _rows, start, _tmp, 0, out int nl, out int nr);
        Array.Copy(_tmp, 0, _rows, start + nl, nr);
        return nl;
    }

    /// <summary>Rows of [from, to) with bin &lt;= threshold go to left[leftAt..], the others to right[rightAt..] (both in order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PartitionBlock(int from, int to, int feature, int bin, int[] left, int leftAt, int[] right, int rightAt, out int nl, out int nr)
    {
        int fc = _fc;
        byte* bins = _bins + feature;
        var rows = _rows;
        int l = leftAt, r = rightAt;
        // Branch-free: the row is written to both sides and only one cursor advances (the split is unpredictable).
        // Writing left[l] in place is safe: l never passes the read position i.
        for (int i = from; i < to; i++)
        {
            int row = rows[i];
            bool goesLeft = bins[(long)row * fc] <= bin;
            int step = Unsafe.BitCast<bool, byte>(goesLeft);
            left[l] = row;
            right[r] = row;
            l += step;
            r += 1 - step;
        }
        nl = l - leftAt;
        nr = r - rightAt;
    }

    /// <summary>Fixed row blocks partitioned in parallel, then concatenated in block order (same result as sequential).</summary>
    private int PartitionParallel(int start, int count, int feature, int bin, int threads)
    {
        _tmp2 ??= new int[_rows.Length];
        var nl = new int[threads];
        var nr = new int[threads];
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            int from = start + (int)((long)count * t / threads), to = start + (int)((long)count * (t + 1) / threads);
            PartitionBlock(from, to, feature, bin, _tmp, from, _tmp2, from, out nl[t], out nr[t]);
        });
        int totalLeft = 0;
        for (int t = 0; t < threads; t++) totalLeft += nl[t];
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            int from = start + (int)((long)count * t / threads);
            int lOff = start, rOff = start + totalLeft;
            for (int u = 0; u < t; u++) { lOff += nl[u]; rOff += nr[u]; }
            Array.Copy(_tmp, from, _rows, lOff, nl[t]);
            Array.Copy(_tmp2, from, _rows, rOff, nr[t]);
        });
        return totalLeft;
    }

    private void BuildHistogram(Vector256<double>[] hist, int start, int count, Vector256<double>[] gh)
    {
        int threads = _threads;
        // Fixed row blocks; small leaves are not worth the fork/join.
        if (threads > 1 && (long)count * _fc >= 65536)
        {
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                int from = start + (int)((long)count * t / threads);
                int to = start + (int)((long)count * (t + 1) / threads);
                var target = t == 0 ? hist : _scratch[t - 1];
                Accumulate(target, from, to - from, gh);
            });
            // Sum block histograms in block order, in parallel over bin ranges.
            int total = _totalBins;
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                int from = (int)((long)total * t / threads), to = (int)((long)total * (t + 1) / threads);
                fixed (Vector256<double>* h = hist)
                {
                    for (int s = 0; s < _scratch.Length; s++)
                        fixed (Vector256<double>* o = _scratch[s])
                            for (int i = from; i < to; i++) h[i] += o[i];
                }
            });
        }
        else
        {
            Accumulate(hist, start, count, gh);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Accumulate(Vector256<double>[] hist, int start, int count, Vector256<double>[] gh)
    {
        int fc = _fc;
        fixed (Vector256<double>* h = hist)
        fixed (Vector256<double>* g = gh)
        fixed (int* rowsBase = _rows)
        fixed (int* off = _offsets)
        {
            new Span<Vector256<double>>(h, _totalBins).Clear();
            int* rows = rowsBase + start;
            byte* bins = _bins;
            int f4 = fc & ~3;
            const int Ahead = 12;
            bool prefetch = System.Runtime.Intrinsics.X86.Sse.IsSupported;
            for (int i = 0; i < count; i++)
            {
                if (prefetch && i + Ahead < count)
                {
                    int ra = rows[i + Ahead];
                    System.Runtime.Intrinsics.X86.Sse.Prefetch0(bins + (long)ra * fc);
                    System.Runtime.Intrinsics.X86.Sse.Prefetch0(g + ra);
                }
                int r = rows[i];
                Vector256<double> v = g[r];
                byte* row = bins + (long)r * fc;
                int f = 0;
                for (; f < f4; f += 4)
                {
                    Vector256<double>* p0 = h + off[f] + row[f];
                    Vector256<double>* p1 = h + off[f + 1] + row[f + 1];
                    Vector256<double>* p2 = h + off[f + 2] + row[f + 2];
                    Vector256<double>* p3 = h + off[f + 3] + row[f + 3];
                    *p0 += v; *p1 += v; *p2 += v; *p3 += v;
                }
                for (; f < fc; f++) { Vector256<double>* p = h + off[f] + row[f]; *p += v; }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Subtract(Vector256<double>[] parent, Vector256<double>[] child)
    {
        fixed (Vector256<double>* p = parent)
        fixed (Vector256<double>* c = child)
        {
            int n = _totalBins;
            for (int i = 0; i < n; i++) p[i] -= c[i];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FindBestSplit(int leaf, bool[] featureAllowed)
    {
        var hist = _histPool[_leafHist[leaf]];
        double G = _leafG[leaf], H = _leafH[leaf];
        int C = _leafCount[leaf];
        double l2 = _o.L2 + 1e-15; // epsilon keeps 0/0 out when L2 and the minimum hessian are both 0
        double minH = _o.MinHessianPerLeaf;
        int minC = _o.MinRowsPerLeaf;
        double parentScore = G * G / (H + l2);
        var best = NoSplit();
        double bestScore = double.NegativeInfinity;
        // Per feature: prefix sums over bins (scalar, in bin order), then split scores four bins at a time,
        // then the first maximum (lowest feature, then lowest bin, wins ties).
        double* gl = stackalloc double[260];
        double* hl = stackalloc double[260];
        double* cl = stackalloc double[260];
        double* sc = stackalloc double[260];
        var vG = Vector256.Create(G);
        var vH = Vector256.Create(H);
        var vC = Vector256.Create((double)C);
        var vL2 = Vector256.Create(l2);
        var vMinH = Vector256.Create(minH);
        var vMinC = Vector256.Create((double)minC);
        var vNegInf = Vector256.Create(double.NegativeInfinity);
        fixed (Vector256<double>* hp = hist)
        {
            double* h = (double*)hp;
            for (int f = 0; f < _fc; f++)
            {
                if (!featureAllowed[f]) continue;
                int off = _offsets[f];
                int nb = _offsets[f + 1] - off;
                if (nb < 2) continue;
                int splits = nb - 1; // a split after bin b, b in [0, nb - 2]
                double g = 0, hh = 0, c = 0;
                double* e = h + 4L * off;
                for (int b = 0; b < splits; b++, e += 4)
                {
                    g += e[0]; hh += e[1]; c += e[2];
                    gl[b] = g; hl[b] = hh; cl[b] = c;
                }
                int padded = (splits + 3) & ~3;
                for (int b = splits; b < padded; b++) { gl[b] = 0; hl[b] = 0; cl[b] = -1; } // invalid (count < min)
                for (int b = 0; b < padded; b += 4)
                {
                    var vgl = Vector256.Load(gl + b);
                    var vhl = Vector256.Load(hl + b);
                    var vcl = Vector256.Load(cl + b);
                    var vgr = vG - vgl;
                    var vhr = vH - vhl;
                    var vcr = vC - vcl;
                    var ok = Vector256.GreaterThanOrEqual(vcl, vMinC) & Vector256.GreaterThanOrEqual(vcr, vMinC)
                           & Vector256.GreaterThanOrEqual(vhl, vMinH) & Vector256.GreaterThanOrEqual(vhr, vMinH);
                    var score = vgl * vgl / (vhl + vL2) + vgr * vgr / (vhr + vL2);
                    Vector256.ConditionalSelect(ok, score, vNegInf).Store(sc + b);
                }
                for (int b = 0; b < splits; b++)
                {
                    if (sc[b] > bestScore)
                    {
                        bestScore = sc[b];
                        best.Feature = f; best.Bin = b; best.LeftG = gl[b]; best.LeftH = hl[b]; best.LeftCount = (int)cl[b];
                    }
                }
            }
        }
        if (best.Feature >= 0) best.Gain = bestScore - parentScore;
        _best[leaf] = best;
    }
}
