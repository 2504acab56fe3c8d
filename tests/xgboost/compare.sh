#!/usr/bin/env bash
# Side-by-side comparison of the platform's trainer, ML.NET LightGBM (native LightGBM 4.6), with ML.NET FastTree and
# XGBoost (Debian python3-xgboost 1.7.4, rank:ndcg, hist), in one run, on the LETOR sample and a synthetic set.
# Usage: tests/xgboost/compare.sh [repeats]   (run from anywhere; default 3 repeats, medians reported)
# Env: LTR_DATA (../shared/data/ltr beside the repo), SYNTH_ROWS (200000), SYNTH_FEATURES (32), SYNTH_GROUPS (2000), WORK (scratch dir for the synthetic files).
set -euo pipefail
REPEATS="${1:-3}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DATA="$(cd "${LTR_DATA:-$ROOT/../shared/data/ltr}" && pwd)"
WORK="${WORK:-${TMPDIR:-/tmp}/talentmatch-ltr}"
PY=/usr/bin/python3
# LightGBM and XGBoost both run on OpenMP, whose idle workers spin by default: on this 2-core machine shared with
# other work that made 2-thread training 3-7x slower than 1 thread. Passive waiting, for both, unless set otherwise.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
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
    for trainer in LightGbm FastTree; do
      "${CLI[@]}" evaluate --train "$train" --test "$test" "${COMMON[@]}" --trainer "$trainer" --threads "$threads" 2>>"$WORK/ours.log" \
        | sed "s/^{/{\"dataset\":\"$name\",/" >>"$RESULTS"
    done
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
tools = [('mlnet-lightgbm', 'ML.NET LightGBM'), ('mlnet-fasttree', 'ML.NET FastTree'), ('xgboost', 'XGBoost 1.7')]
print(f"{'dataset':<10} {'thr':>3} {'trainer':<16} | {'ndcg@1':>7} {'ndcg@3':>7} {'ndcg@5':>7} {'ndcg@10':>7} | {'train s':>8} {'fit s':>7} {'vs LightGBM':>11}")
print('-' * 100)
for ds, th in [('letor', 1), ('synthetic', 1), ('synthetic', 2)]:
    base = med(ds, th, 'mlnet-lightgbm', 'train_seconds')
    for tool, label in tools:
        n = [med(ds, th, tool, f'ndcg@{k}') for k in (1, 3, 5, 10)]
        t = med(ds, th, tool, 'train_seconds')
        fit = med(ds, th, tool, 'fit_seconds') if tool.startswith('mlnet') else t
        print(f"{ds:<10} {th:>3} {label:<16} | {n[0]:>7.4f} {n[1]:>7.4f} {n[2]:>7.4f} {n[3]:>7.4f} | {t:>8.3f} {fit:>7.3f} {t / base:>10.2f}x")
print(f"(medians of {len(rows) // 9} runs each; train s: the whole training call (ML.NET: data view, Fit, reading the")
print(f" trees, saving ML.NET's zip), fit s: ML.NET's Fit alone, XGBoost: xgb.train; every run's figures in {sys.argv[1]})")
PYEOF
