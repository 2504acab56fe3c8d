#!/usr/bin/env bash
# Stops what deploy/up.sh started: the services, the web app and the mail server (gracefully), then PostgreSQL and
# RabbitMQ. Data is kept.
set -euo pipefail

REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$REPO_ROOT"
export TM_INSTANCE=${TM_INSTANCE:-dev}
RUN_DIR=$REPO_ROOT/deploy/.local/$TM_INSTANCE/services

for pid_file in "$RUN_DIR"/*.pid; do
  [[ -f $pid_file ]] || continue
  pid=$(cat "$pid_file")
  if kill -TERM "$pid" 2>/dev/null; then
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    echo "$(basename "$pid_file" .pid): stopped"
  fi
  rm -f "$pid_file"
done
deploy/infra.sh stop
