using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace TalentMatch.Ranking.Training;

/// <summary>
/// LambdaRank gradients for NDCG (Burges 2010; the LightGBM lambdarank formulation): for each pair of items with
/// different labels where the higher-placed one is within the truncation level, the pairwise logistic gradient
/// is weighted by |ΔNDCG| of swapping them (optionally divided by 0.01 + |score gap|), and per-query lambdas are
/// normalised by log2(1 + Σλ)/Σλ. Groups are processed in fixed contiguous chunks so results do not depend on
/// thread scheduling.
/// </summary>
internal sealed class LambdaGradients
{
    private readonly float[] _labels;
    private readonly int[] _bounds;
    private readonly double[] _inverseMaxDcg;
    private readonly float[] _gainOfLabel;
    private readonly float[] _discount;
    private readonly int _truncation;
    private readonly bool _normalize;
    private readonly double _sigmoid;
    private readonly int _threads;
    private readonly int[] _chunkStart; // group index boundaries per chunk
    private readonly int[] _order;      // per group, last round's ranking (offsets within the group)

    public LambdaGradients(float[] labels, int[] groupBoundaries, int truncation, bool normalize, double sigmoid, int threads)
    {
        _labels = labels;
        _bounds = groupBoundaries;
        _normalize = normalize;
        _sigmoid = sigmoid;
        int groups = groupBoundaries.Length - 1;
        int maxGroup = 0;
        for (int g = 0; g < groups; g++) maxGroup = Math.Max(maxGroup, groupBoundaries[g + 1] - groupBoundaries[g]);
        _truncation = truncation <= 0 ? int.MaxValue : truncation;
        int maxLabel = 0;
        foreach (var l in labels) maxLabel = Math.Max(maxLabel, (int)l);
        _gainOfLabel = new float[maxLabel + 1];
        for (int l = 0; l <= maxLabel; l++) _gainOfLabel[l] = (float)(Math.Pow(2, l) - 1);
        _discount = new float[maxGroup + 1 + Vector256<float>.Count];
        for (int i = 0; i < _discount.Length; i++) _discount[i] = (float)(1.0 / Math.Log2(i + 2.0));
        _inverseMaxDcg = new double[groups];
        for (int g = 0; g < groups; g++)
        {
            int s = groupBoundaries[g], e = groupBoundaries[g + 1];
            double max = Metrics.RankingMetrics.IdealDcg(labels.AsSpan(s, e - s), truncation);
            _inverseMaxDcg[g] = max > 0 ? 1.0 / max : 0.0;
        }
        // Balance chunks by pair work (~ size * min(size, truncation)).
        _threads = Math.Max(1, threads);
        var work = new double[groups + 1];
        for (int g = 0; g < groups; g++)
        {
            int c = groupBoundaries[g + 1] - groupBoundaries[g];
            work[g + 1] = work[g] + (double)c * Math.Min(c, _truncation) + c * Math.Log2(c + 1);
        }
        _chunkStart = new int[_threads + 1];
        int gi = 0;
        for (int t = 1; t < _threads; t++)
        {
            double target = work[groups] * t / _threads;
            while (gi < groups && work[gi] < target) gi++;
            _chunkStart[t] = gi;
        }
        _chunkStart[_threads] = groups;
        MaxGroupSize = maxGroup;
        _order = new int[labels.Length];
        for (int g = 0; g < groups; g++)
            for (int i = groupBoundaries[g]; i < groupBoundaries[g + 1]; i++) _order[i] = i - groupBoundaries[g];
    }

    public int MaxGroupSize { get; }

    /// <summary>
    /// exp(x) in single precision (Cephes expf: x = n·ln2 + r, a degree-6 polynomial for exp(r), scaled by 2^n);
    /// relative error below 1e-7, several times faster than <see cref="Vector256.Exp(Vector256{float})"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> FastExp(Vector256<float> x)
    {
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(-87.3f)), Vector256.Create(88.3f));
        var n = Vector256.Round(x * Vector256.Create(1.44269504088896341f));
        var r = x - n * Vector256.Create(0.693359375f) - n * Vector256.Create(-2.12194440e-4f);
        var p = Vector256.Create(1.9875691500E-4f);
        p = p * r + Vector256.Create(1.3981999507E-3f);
        p = p * r + Vector256.Create(8.3334519073E-3f);
        p = p * r + Vector256.Create(4.1665795894E-2f);
        p = p * r + Vector256.Create(1.6666665459E-1f);
        p = p * r + Vector256.Create(5.0000001201E-1f);
        p = p * r * r + r + Vector256<float>.One;
        var pow2 = Vector256.ShiftLeft(Vector256.ConvertToInt32(n) + Vector256.Create(127), 23).AsSingle();
        return p * pow2;
    }

    public void Compute(double[] scores, double[] gradients, double[] hessians)
    {
        if (_threads == 1) ComputeChunk(0, scores, gradients, hessians);
        else Parallel.For(0, _threads, new ParallelOptions { MaxDegreeOfParallelism = _threads }, t => ComputeChunk(t, scores, gradients, hessians));
    }

    private void ComputeChunk(int chunk, double[] scores, double[] gradients, double[] hessians)
    {
        int m = MaxGroupSize + Vector256<float>.Count;
        var order = new int[m];
        var keys = new double[m];
        var sLabel = new float[m];
        var sGain = new float[m];
        var sScore = new float[m];
        var lambda = new float[m];
        var hess = new float[m];
        for (int g = _chunkStart[chunk]; g < _chunkStart[chunk + 1]; g++)
        {
            int start = _bounds[g], cnt = _bounds[g + 1] - start;
            GroupLambdas(g, start, cnt, scores, gradients, hessians, order, keys, sLabel, sGain, sScore, lambda, hess);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void GroupLambdas(int g, int start, int cnt, double[] scores, double[] gradients, double[] hessians,
        int[] order, double[] keys, float[] sLabel, float[] sGain, float[] sScore, float[] lambda, float[] hess)
    {
        double invMax = _inverseMaxDcg[g];
        if (cnt <= 1 || invMax == 0)
        {
            Array.Clear(gradients, start, cnt);
            Array.Clear(hessians, start, cnt);
            return;
        }
        // Order by score descending, ties by row (a total order, so the result does not depend on the previous order).
        // Scores move little between rounds: insertion sort from last round's order is ~linear for moderate groups.
        var prev = _order.AsSpan(start, cnt);
        if (cnt <= 512)
        {
            for (int i = 1; i < cnt; i++)
            {
                int v = prev[i];
                double sv = scores[start + v];
                int j = i - 1;
                while (j >= 0)
                {
                    int u = prev[j];
                    double su = scores[start + u];
                    if (su > sv || (su == sv && u < v)) break;
                    prev[j + 1] = u;
                    j--;
                }
                prev[j + 1] = v;
            }
        }
        else
        {
            for (int i = 0; i < cnt; i++) { order[i] = i; keys[i] = -scores[start + i]; }
            Array.Sort(keys, order, 0, cnt);
            for (int i = 0; i < cnt;)
            {
                int j = i + 1;
                while (j < cnt && keys[j] == keys[i]) j++;
                if (j - i > 1) Array.Sort(order, i, j - i);
                i = j;
            }
            order.AsSpan(0, cnt).CopyTo(prev);
        }
        prev.CopyTo(order);
        for (int i = 0; i < cnt; i++)
        {
            int r = start + order[i];
            int l = (int)_labels[r];
            sLabel[i] = l;
            sGain[i] = _gainOfLabel[l];
            sScore[i] = (float)scores[r];
            lambda[i] = 0;
            hess[i] = 0;
        }
        // Zero padding so that full-vector loads past the end are harmless (they are masked out as well).
        int width = Vector256<float>.Count;
        for (int i = cnt; i < cnt + width; i++) { sLabel[i] = 0; sGain[i] = 0; sScore[i] = 0; lambda[i] = 0; hess[i] = 0; }

        double best = sScore[0], worst = sScore[cnt - 1];
        bool scaleByGap = _normalize && best != worst;
        float sig = (float)_sigmoid;
        int lastI = Math.Min(cnt - 1, _truncation);
        var disc = _discount; // padded by one vector

        // Pairs (i, j), i in the top lastI positions, j below it; 8 j's per step in single precision.
        var vSig = Vector256.Create(sig);
        var vNegSig = Vector256.Create(-sig);
        var vSig2 = Vector256.Create(sig * sig);
        var vInvMax = Vector256.Create((float)invMax);
        var vOne = Vector256.Create(1f);
        var vMinusOne = Vector256.Create(-1f);
        var vGapEps = Vector256.Create(0.01f);
        var vLane = Vector256.Create(0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f);
        var vSum = Vector256<float>.Zero;
        ref float rLabel = ref MemoryMarshal.GetArrayDataReference(sLabel);
        ref float rGain = ref MemoryMarshal.GetArrayDataReference(sGain);
        ref float rScore = ref MemoryMarshal.GetArrayDataReference(sScore);
        ref float rDisc = ref MemoryMarshal.GetArrayDataReference(disc);
        ref float rLambda = ref MemoryMarshal.GetArrayDataReference(lambda);
        ref float rHess = ref MemoryMarshal.GetArrayDataReference(hess);
        var vCnt = Vector256.Create((float)cnt);
        for (int i = 0; i < lastI; i++)
        {
            var vli = Vector256.Create(sLabel[i]);
            var vgi = Vector256.Create(sGain[i]);
            var vsi = Vector256.Create(sScore[i]);
            var vdi = Vector256.Create(disc[i]);
            var accL = Vector256<float>.Zero;
            var accH = Vector256<float>.Zero;
            for (int j = i + 1; j < cnt; j += 8)
            {
                var lj = Vector256.LoadUnsafe(ref rLabel, (nuint)j);
                var gj = Vector256.LoadUnsafe(ref rGain, (nuint)j);
                var sj = Vector256.LoadUnsafe(ref rScore, (nuint)j);
                var dj = Vector256.LoadUnsafe(ref rDisc, (nuint)j);
                // Lanes past the end of the group are masked out.
                var valid = Vector256.LessThan(vLane + Vector256.Create((float)j), vCnt);
                var iHigh = Vector256.GreaterThan(vli, lj);
                var sign = Vector256.ConditionalSelect(iHigh, vOne, vMinusOne);
                var diff = vsi - sj;
                var deltaScore = sign * diff; // high minus low
                var deltaNdcg = Vector256.Abs(vgi - gj) * (vdi - dj) * vInvMax; // 0 when labels are equal
                if (scaleByGap) deltaNdcg /= vGapEps + Vector256.Abs(diff);
                deltaNdcg &= valid;
                var p = vOne / (vOne + FastExp(vSig * deltaScore));
                var pLambda = vNegSig * p * deltaNdcg;            // gradient for the high item (<= 0)
                var pHess = p * (vOne - p) * vSig2 * deltaNdcg;
                var signed = sign * pLambda;                       // contribution to item i
                accL += signed;
                accH += pHess;
                vSum += pLambda;
                (Vector256.LoadUnsafe(ref rLambda, (nuint)j) - signed).StoreUnsafe(ref rLambda, (nuint)j);
                (Vector256.LoadUnsafe(ref rHess, (nuint)j) + pHess).StoreUnsafe(ref rHess, (nuint)j);
            }
            lambda[i] += Vector256.Sum(accL);
            hess[i] += Vector256.Sum(accH);
        }
        double sumLambdas = -2.0 * Vector256.Sum(vSum);
        double norm = 1.0;
        if (_normalize && sumLambdas > 0) norm = Math.Log2(1 + sumLambdas) / sumLambdas;
        for (int i = 0; i < cnt; i++)
        {
            int r = start + order[i];
            gradients[r] = lambda[i] * norm;
            hessians[r] = hess[i] * norm;
        }
    }
}
