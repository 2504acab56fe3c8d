#!/usr/bin/env bash
# Side-by-side comparison of TalentMatch LambdaMART and XGBoost (Debian python3-xgboost 1.7.4, rank:ndcg, hist).
# Usage: tests/xgboost/compare.sh [repeats]   (run from anywhere; default 3 repeats, medians reported)
# Env: SYNTH_ROWS (200000), SYNTH_FEATURES (32), SYNTH_GROUPS (2000), WORK (scratch dir for the synthetic files).
set -euo pipefail
REPEATS="${1:-3}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DATA="$(cd "$ROOT/../shared/data/ltr" && pwd)"
WORK="${WORK:-${TMPDIR:-/tmp}/talentmatch-ltr}"
PY=/usr/bin/python3
ROWS="${SYNTH_ROWS:-200000}"; FEATS="${SYNTH_FEATURES:-32}"; NGROUPS="${SYNTH_GROUPS:-2000}"
COMMON=(--trees 100 --leaves 31 --learning-rate 0.1)

mkdir -p "$WORK"
echo "building the CLI (Release)..." >&2
dotnet build -c Release "$ROOT/services/matching/TalentMatch.Ranking.Cli" -o "$WORK/cli" >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }
CLI=(dotnet "$WORK/cli/talentmatch-rank.dll")

SYN="$WORK/synthetic-${ROWS}x${FEATS}x${NGROUPS}"
if [[ ! -f "$SYN.train" ]]; then
  echo "writing the synthetic set to $SYN.{train,test}..." >&2
  "${CLI[@]}" synthetic --rows "$ROWS" --features "$FEATS" --groups "$NGROUPS" --seed 7 --out "$SYN" >&2
fi

RESULTS="$WORK/results.jsonl"
: >"$RESULTS"
run() { # name threads train test
  local name=$1 threads=$2 train=$3 test=$4 i
  for ((i = 1; i <= REPEATS; i++)); do
    echo "[$name threads=$threads run $i/$REPEATS]" >&2
    "${CLI[@]}" evaluate --train "$train" --test "$test" "${COMMON[@]}" --threads "$threads" 2>>"$WORK/ours.log" \
      | sed "s/^{/{\"dataset\":\"$name\",/" >>"$RESULTS"
    "$PY" "$ROOT/tests/xgboost/xgb_rank.py" --train "$train" --test "$test" "${COMMON[@]}" --threads "$threads" \
      | sed "s/^{/{\"dataset\":\"$name\",/" >>"$RESULTS"
  done
}
run letor 1 "$DATA/rank.train" "$DATA/rank.test"
run synthetic 1 "$SYN.train" "$SYN.test"
run synthetic 2 "$SYN.train" "$SYN.test"

"$PY" - "$RESULTS" <<'PYEOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def med(ds, th, tool, key):
    v = [r[key] for r in rows if r['dataset'] == ds and r['threads'] == th and r['tool'].startswith(tool)]
    return statistics.median(v) if v else float('nan')
print(f"{'dataset':<10} {'thr':>3} | {'ours ndcg@10':>12} {'xgb ndcg@10':>11} {'diff':>7} | {'ours s':>7} {'xgb s':>7} {'ours/xgb':>8}")
print('-' * 80)
for ds, th in [('letor', 1), ('synthetic', 1), ('synthetic', 2)]:
    on, xn = med(ds, th, 'talentmatch', 'ndcg@10'), med(ds, th, 'xgboost', 'ndcg@10')
    ot, xt = med(ds, th, 'talentmatch', 'train_seconds'), med(ds, th, 'xgboost', 'train_seconds')
    print(f"{ds:<10} {th:>3} | {on:>12.4f} {xn:>11.4f} {on - xn:>+7.4f} | {ot:>7.3f} {xt:>7.3f} {ot / xt:>8.2f}")
print(f"(medians of {len(rows) // 6} runs each; all ndcg@1/3/5/10 values in {sys.argv[1]})")
PYEOF
