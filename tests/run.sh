#!/usr/bin/env bash
# Runs every test, from a machine with nothing but the .NET SDK: installs PostgreSQL and RabbitMQ if missing,
# starts a fresh "test" instance of both on their own loopback ports (a fresh broker each run, as CI has),
# builds in Release and runs all test projects, then stops the instance. Extra arguments go to `dotnet test`
# (e.g. --filter FullyQualifiedName~EndToEnd).
set -euo pipefail

REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$REPO_ROOT"
export TM_INSTANCE=test TM_PG_PORT=${TM_TEST_PG_PORT:-54339} TM_RABBIT_PORT=${TM_TEST_RABBIT_PORT:-35682}
RESULTS=$REPO_ROOT/tests/.results

echo "==> PostgreSQL and RabbitMQ (instance $TM_INSTANCE)"
deploy/infra.sh install
deploy/infra.sh stop >/dev/null 2>&1 || true
rm -rf "$(deploy/infra.sh dir)"
deploy/infra.sh start
trap 'deploy/infra.sh stop >/dev/null 2>&1 || true' EXIT
eval "$(deploy/infra.sh env)"

# The browser tests drive Debian's Chromium (never a browser downloaded by Playwright) and need CJK fonts for the
# Chinese pages.
if ! command -v chromium >/dev/null 2>&1 || ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then
  echo "==> Chromium and CJK fonts"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 TM_CHROMIUM=${TM_CHROMIUM:-$(command -v chromium)} TM_TEST_RESULTS=$RESULTS

echo "==> Build (Release)"
dotnet tool restore >/dev/null
dotnet build TalentMatch.sln -c Release -nologo -clp:ErrorsOnly

echo "==> Every model change has its migration"
# Compares each service's EF model with its migrations' model snapshot (no database needed); fails the run when a
# model change has no migration: add one with `dotnet ef migrations add <Name> --project <service>`.
for project in services/identity/TalentMatch.Identity services/profiles/TalentMatch.Profiles \
  services/positions/TalentMatch.Positions services/matching/TalentMatch.Matching; do
  if ! out=$(dotnet ef migrations has-pending-model-changes --project "$project" --configuration Release --no-build 2>&1); then
    echo "$out" >&2
    echo "run.sh: $(basename "$project") has model changes without a migration" >&2
    exit 1
  fi
  echo "$(basename "$project"): ${out##*$'\n'}"
done

echo "==> Tests"
rm -rf "$RESULTS"
status=0
run_tests() {
  dotnet test "$@" -c Release --no-build -nologo \
    --results-directory "$RESULTS" --logger "trx" --logger "console;verbosity=minimal" || status=$?
}
if (($#)); then
  run_tests TalentMatch.sln "$@"
else
  # The fault tests kill and restart their own servers and time a broker's boot; they run after the others so that
  # two cores are not shared with five other test assemblies while they do.
  run_tests TalentMatch.sln --filter "FullyQualifiedName!~TalentMatch.FaultTests"
  echo "==> Fault-injection tests"
  run_tests tests/TalentMatch.FaultTests/TalentMatch.FaultTests.csproj
fi

# One closing line over every test assembly, summed from the TRX result files.
python3 - "$RESULTS" <<'PY' || true
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
for path in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(path).getroot().find("t:ResultSummary/t:Counters", ns)
    passed += int(c.get("passed", 0)); failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0))
    skipped += int(c.get("notExecuted", 0))
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
