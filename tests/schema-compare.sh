#!/usr/bin/env bash
# Proves that the generated migrations change nothing in a fresh database. For each service it builds three
# databases on a running PostgreSQL (deploy/infra.sh start postgres) and compares `pg_dump --schema-only` of them:
#   hand   - the hand-written migrations only (the history up to HAND_LAST below), as every installation had it;
#   new    - every migration, as a fresh installation gets it now;
#   model  - the script EF generates from today's model (`dotnet ef dbcontext script`), for information: where it
#            differs from "hand", the difference is SQL the model does not describe (see the README on migrations).
# "hand" and "new" must be identical, and so must "hand" before and after it is brought up to date like an existing
# installation (exit 1 otherwise). Dumps are normalised: comments, SET lines and blank lines
# dropped, a table's columns and the statements sorted, so ordering does not matter.
# Usage: TM_PG_PORT=54351 bash tests/schema-compare.sh [output-dir]   (services must be built in Debug first)
set -euo pipefail

REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$REPO_ROOT"
PORT=${TM_PG_PORT:-54329}
OUT=${1:-$(mktemp -d)}
PG_BIN=/usr/lib/postgresql/15/bin
mkdir -p "$OUT"
dotnet tool restore >/dev/null

psql_() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres "$@"; }
conn() { echo "Host=127.0.0.1;Port=$PORT;Username=postgres;Password=postgres;Database=$1"; }
normalise() {
  # One statement per line (comments and session settings dropped), the columns of each CREATE TABLE sorted (a
  # column added later by ALTER TABLE sits last, where a create script would put it among the others), sorted.
  python3 - "$1" <<'PY'
import re, sys
text = "\n".join(l for l in open(sys.argv[1]).read().splitlines()
                 if l and not l.startswith(("--", "SET ", "SELECT pg_catalog.set_config", "\\restrict", "\\unrestrict")))
out = []
for stmt in (s.strip() for s in text.split(";\n")):
    if not stmt:
        continue
    m = re.match(r"(CREATE TABLE [^ ]+) \((.*)\)$", stmt, re.S)
    if m:
        columns = sorted(c.strip() for c in m.group(2).split(",\n"))
        stmt = m.group(1) + " (" + ", ".join(columns) + ")"
    out.append(re.sub(r"\s+", " ", stmt.rstrip(";")) + ";")
print("\n".join(sorted(out)))
PY
}

# service project | last hand-written migration
SERVICES=(
  "services/identity/TalentMatch.Identity|20261202100000_SignInFailuresAndRevocations"
  "services/profiles/TalentMatch.Profiles|20261202100100_RevokedTokens"
  "services/positions/TalentMatch.Positions|20261202100100_RevokedTokens"
  "services/matching/TalentMatch.Matching|20261202100000_RevokedTokens"
)
status=0
for entry in "${SERVICES[@]}"; do
  project=${entry%%|*} hand_last=${entry##*|}
  name=$(basename "$project" | sed 's/TalentMatch\.//; s/.*/\L&/')
  for kind in hand new model; do
    psql_ -d postgres -c "DROP DATABASE IF EXISTS schema_${name}_$kind" -c "CREATE DATABASE schema_${name}_$kind"
  done
  dotnet ef database update "$hand_last" --project "$project" --no-build --connection "$(conn "schema_${name}_hand")" >/dev/null
  dotnet ef database update --project "$project" --no-build --connection "$(conn "schema_${name}_new")" >/dev/null
  dotnet ef dbcontext script --project "$project" --no-build -o "$OUT/$name.model.sql" >/dev/null
  psql_ -d "schema_${name}_model" -f "$OUT/$name.model.sql" >/dev/null
  for kind in hand new model; do
    "$PG_BIN/pg_dump" -h 127.0.0.1 -p "$PORT" -U postgres --schema-only --no-owner --no-privileges \
      --exclude-table=__ef_migrations_history "schema_${name}_$kind" >"$OUT/$name.$kind.raw.sql"
    normalise "$OUT/$name.$kind.raw.sql" >"$OUT/$name.$kind.sql"
  done
  # An existing installation: the "hand" database brought up to date the way a service does it at start-up.
  dotnet ef database update --project "$project" --no-build --connection "$(conn "schema_${name}_hand")" >/dev/null
  "$PG_BIN/pg_dump" -h 127.0.0.1 -p "$PORT" -U postgres --schema-only --no-owner --no-privileges \
    --exclude-table=__ef_migrations_history "schema_${name}_hand" >"$OUT/$name.upgraded.raw.sql"
  normalise "$OUT/$name.upgraded.raw.sql" >"$OUT/$name.upgraded.sql"
  if diff -u "$OUT/$name.hand.sql" "$OUT/$name.upgraded.sql" >"$OUT/$name.hand-vs-upgraded.diff"; then
    applied=$(psql_ -d "schema_${name}_hand" -Atc \
      "SELECT string_agg(\"MigrationId\", ', ') FROM __ef_migrations_history WHERE \"MigrationId\" > '$hand_last'")
    echo "$name: an existing database brought up to date keeps its schema; it applied $applied"
  else
    echo "$name: UPGRADE CHANGED THE SCHEMA, see $OUT/$name.hand-vs-upgraded.diff"; status=1
  fi
  if diff -u "$OUT/$name.hand.sql" "$OUT/$name.new.sql" >"$OUT/$name.hand-vs-new.diff"; then
    echo "$name: hand-written history and full history give identical schemas ($(wc -l <"$OUT/$name.new.sql") statements)"
  else
    echo "$name: SCHEMAS DIFFER, see $OUT/$name.hand-vs-new.diff"; status=1
  fi
  diff -u "$OUT/$name.hand.sql" "$OUT/$name.model.sql" >"$OUT/$name.hand-vs-model.diff" || true
  echo "$name: hand-written vs model's own create script: $(grep -c '^[-+][^-+]' "$OUT/$name.hand-vs-model.diff" || true) differing statement(s), see $OUT/$name.hand-vs-model.diff"
done
exit $status
