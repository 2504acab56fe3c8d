#!/usr/bin/env bash
# Starts the whole platform on this machine: PostgreSQL and RabbitMQ (installed if missing), the profiles,
# positions and matching services, and the demo data set; then prints where to look. Safe to run again:
# what is already running is left alone and demo data is only loaded into empty services.
# Stop everything with deploy/down.sh.
set -euo pipefail

REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$REPO_ROOT"
export TM_INSTANCE=${TM_INSTANCE:-dev}
RUN_DIR=$REPO_ROOT/deploy/.local/$TM_INSTANCE/services
DEMO_PROFILES=${TM_DEMO_PROFILES:-300}
declare -A PORTS=([matching]=${TM_MATCHING_PORT:-5103} [profiles]=${TM_PROFILES_PORT:-5101} [positions]=${TM_POSITIONS_PORT:-5102})

step() { echo "==> $*"; }

step "PostgreSQL and RabbitMQ"
deploy/infra.sh install
deploy/infra.sh start
eval "$(deploy/infra.sh env)"

step "Building (Release)"
dotnet build TalentMatch.sln -c Release -nologo -v quiet -clp:ErrorsOnly

mkdir -p "$RUN_DIR"
start_service() {
  local name=$1 project port=${PORTS[$1]} pid_file=$RUN_DIR/$1.pid log=$RUN_DIR/$1.log
  project=TalentMatch.${name^}
  if [[ -f $pid_file ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    echo "$name: already running (pid $(cat "$pid_file"))"
    return
  fi
  ASPNETCORE_URLS="http://127.0.0.1:$port" \
  ConnectionStrings__Database="Host=$TM_PG_HOST;Port=$TM_PG_PORT;Username=$TM_PG_USER;Password=$TM_PG_PASSWORD;Database=talentmatch_$name" \
  RabbitMq__Host=$TM_RABBIT_HOST RabbitMq__Port=$TM_RABBIT_PORT RabbitMq__Username=$TM_RABBIT_USER RabbitMq__Password=$TM_RABBIT_PASSWORD \
    setsid nohup dotnet "services/$name/$project/bin/Release/net10.0/$project.dll" >>"$log" 2>&1 </dev/null &
  echo $! >"$pid_file"
  echo "$name: started (pid $!, log $log)"
}

wait_ready() {
  local name=$1 url="http://127.0.0.1:${PORTS[$1]}/health/ready" deadline=$((SECONDS + 90))
  until curl -fsS "$url" >/dev/null 2>&1; do
    if ((SECONDS > deadline)) || ! kill -0 "$(cat "$RUN_DIR/$name.pid")" 2>/dev/null; then
      echo "$name did not become ready; last lines of $RUN_DIR/$name.log:" >&2
      tail -n 30 "$RUN_DIR/$name.log" >&2
      exit 1
    fi
    sleep 0.5
  done
  echo "$name: ready"
}

step "Services"
for name in matching profiles positions; do start_service "$name"; done
for name in matching profiles positions; do wait_ready "$name"; done

step "Demo data"
dotnet seeds/TalentMatch.DemoData/bin/Release/net10.0/TalentMatch.DemoData.dll \
  --profiles "http://127.0.0.1:${PORTS[profiles]}" --positions "http://127.0.0.1:${PORTS[positions]}" --count "$DEMO_PROFILES"

first_position=$(curl -fsS "http://127.0.0.1:${PORTS[positions]}/api/positions?pageSize=1" | sed -n 's/.*"items":\[{"id":"\([^"]*\)".*/\1/p')

cat <<EOF2

TalentMatch is running.
  profiles   http://127.0.0.1:${PORTS[profiles]}/api/profiles    (OpenAPI: /openapi/v1.json, reference data: /api/taxonomy, /api/institutions)
  positions  http://127.0.0.1:${PORTS[positions]}/api/positions   (OpenAPI: /openapi/v1.json)
  matching   http://127.0.0.1:${PORTS[matching]}/api/positions/{id}/candidates
  health     /health/live and /health/ready on each service
  PostgreSQL 127.0.0.1:$TM_PG_PORT (user postgres), RabbitMQ amqp://guest:guest@127.0.0.1:$TM_RABBIT_PORT
  logs       $RUN_DIR/*.log

Try: curl -s http://127.0.0.1:${PORTS[matching]}/api/positions/$first_position/candidates?pageSize=5
Stop: bash deploy/down.sh
EOF2
