#!/usr/bin/env bash
# Starts the whole platform on this machine: PostgreSQL and RabbitMQ (installed if missing), the identity, profiles,
# positions and matching services, the web app, and the demo data set; then prints where to look. Safe to run again:
# what is already running is left alone and demo data is only loaded into empty services.
# Stop everything with deploy/down.sh.
set -euo pipefail

REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$REPO_ROOT"
export TM_INSTANCE=${TM_INSTANCE:-dev}
RUN_DIR=$REPO_ROOT/deploy/.local/$TM_INSTANCE/services
DEMO_PROFILES=${TM_DEMO_PROFILES:-300}
declare -A PORTS=([identity]=${TM_IDENTITY_PORT:-5100} [matching]=${TM_MATCHING_PORT:-5103} [profiles]=${TM_PROFILES_PORT:-5101} [positions]=${TM_POSITIONS_PORT:-5102} [web]=${TM_WEB_PORT:-5104})
# Every service validates tokens with this key (HMAC-SHA256, >= 32 bytes); the identity service signs with it.
# It is random per installation (deploy/.local/<instance>/auth/signing-key, mode 600), unless TM_AUTH_SIGNING_KEY
# is set; the development key in appsettings.json is refused outside ASPNETCORE_ENVIRONMENT=Development.
source "$REPO_ROOT/deploy/signing-key.sh"
if [[ -z ${TM_AUTH_SIGNING_KEY:-} ]]; then
  TM_AUTH_SIGNING_KEY=$(installation_signing_key "$REPO_ROOT/deploy/.local/$TM_INSTANCE/auth/signing-key")
fi
export TM_AUTH_SIGNING_KEY
# The web app's OpenID Connect client secret: random per installation too (same kind of file, mode 600); identity
# registers the client with it, the web app presents it.
if [[ -z ${TM_WEB_CLIENT_SECRET:-} ]]; then
  TM_WEB_CLIENT_SECRET=$(installation_signing_key "$REPO_ROOT/deploy/.local/$TM_INSTANCE/auth/web-client-secret")
fi
export TM_WEB_CLIENT_SECRET
WEB_URL="http://127.0.0.1:${PORTS[web]}"
export TM_ADMIN_EMAIL=${TM_ADMIN_EMAIL:-admin@talentmatch.local} TM_ADMIN_PASSWORD=${TM_ADMIN_PASSWORD:-dev-admin-password-change-me}

step() { echo "==> $*"; }

step "PostgreSQL and RabbitMQ"
deploy/infra.sh install
deploy/infra.sh start
eval "$(deploy/infra.sh env)"

step "Building (Release)"
dotnet build TalentMatch.sln -c Release -nologo -v quiet -clp:ErrorsOnly

mkdir -p "$RUN_DIR"
# The supervisor of one service: runs it, forwards SIGTERM (deploy/down.sh) to it, and starts it again when it exits
# with 75, which is how a service whose message bus cannot recover from a broker crash asks to be restarted.
supervise() {
  local child code
  trap '[[ -n ${child:-} ]] && kill -TERM "$child" 2>/dev/null; wait "$child"; exit 0' TERM
  while :; do
    dotnet "$1" &
    child=$!
    wait "$child" && code=0 || code=$?
    ((code == 75)) || exit "$code"
    echo "supervisor: $(date -u +%FT%TZ) the service exited with 75 (message bus wedged); starting it again"
    sleep 1
  done
}

start_service() {
  local name=$1 project port=${PORTS[$1]} pid_file=$RUN_DIR/$1.pid log=$RUN_DIR/$1.log
  project=TalentMatch.${name^}
  # What only one process needs: identity registers the web client; the web app finds the provider and the services.
  local extra=(env)
  case $name in
    identity) extra+=(Auth__Clients__Web__Secret="$TM_WEB_CLIENT_SECRET" Auth__Clients__Web__BaseUrl="$WEB_URL") ;;
    web) extra+=(-u Auth__SigningKey -u Auth__Admin__Password -u ConnectionStrings__Database -u RabbitMq__Password
      Auth__Authority="http://127.0.0.1:${PORTS[identity]}" Auth__ClientSecret="$TM_WEB_CLIENT_SECRET"
      Services__Identity="http://127.0.0.1:${PORTS[identity]}" Services__Profiles="http://127.0.0.1:${PORTS[profiles]}"
      Services__Positions="http://127.0.0.1:${PORTS[positions]}" Services__Matching="http://127.0.0.1:${PORTS[matching]}") ;;
  esac
  if [[ -f $pid_file ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    echo "$name: already running (pid $(cat "$pid_file"))"
    return
  fi
  ASPNETCORE_URLS="http://127.0.0.1:$port" \
  ConnectionStrings__Database="Host=$TM_PG_HOST;Port=$TM_PG_PORT;Username=$TM_PG_USER;Password=$TM_PG_PASSWORD;Database=talentmatch_$name" \
  RabbitMq__Host=$TM_RABBIT_HOST RabbitMq__Port=$TM_RABBIT_PORT RabbitMq__Username=$TM_RABBIT_USER RabbitMq__Password=$TM_RABBIT_PASSWORD \
  Auth__SigningKey=$TM_AUTH_SIGNING_KEY Auth__Admin__Email=$TM_ADMIN_EMAIL Auth__Admin__Password=$TM_ADMIN_PASSWORD \
  "${extra[@]}" setsid nohup bash -c "$(declare -f supervise); supervise services/$name/$project/bin/Release/net10.0/$project.dll" >>"$log" 2>&1 </dev/null &
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
for name in identity matching profiles positions web; do start_service "$name"; done
for name in identity matching profiles positions web; do wait_ready "$name"; done

step "Demo data"
dotnet seeds/TalentMatch.DemoData/bin/Release/net10.0/TalentMatch.DemoData.dll \
  --profiles "http://127.0.0.1:${PORTS[profiles]}" --positions "http://127.0.0.1:${PORTS[positions]}" --count "$DEMO_PROFILES" \
  --identity "http://127.0.0.1:${PORTS[identity]}"

# JSON string and shell single-quoting, for the sign-in below and the commands printed at the end.
json_string() { local v=${1//\\/\\\\}; v=${v//\"/\\\"}; printf '"%s"' "$v"; }
shell_quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
admin_login="{\"email\":$(json_string "$TM_ADMIN_EMAIL"),\"password\":$(json_string "$TM_ADMIN_PASSWORD")}"
token=$(curl -fsS -X POST "http://127.0.0.1:${PORTS[identity]}/api/auth/login" -H 'content-type: application/json' \
  -d "$admin_login" | sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p')

first_position=$(curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:${PORTS[positions]}/api/positions?pageSize=1" | sed -n 's/.*"items":\[{"id":"\([^"]*\)".*/\1/p')

# What follows is printed for copying: every command must work pasted as it is, from any folder. So the login body
# carries the real credentials, JSON-escaped and then single-quoted for the shell, and paths are absolute and quoted.
login_body=$(shell_quote "$admin_login")
# down.sh finds the instance from these; the defaults need no mention.
stop_env=
[[ $TM_INSTANCE == dev && $TM_PG_PORT == 54329 && $TM_RABBIT_PORT == 35672 ]] ||
  stop_env="TM_INSTANCE=$(shell_quote "$TM_INSTANCE") TM_PG_PORT=$TM_PG_PORT TM_RABBIT_PORT=$TM_RABBIT_PORT "

cat <<EOF2

TalentMatch is running.
  web app    $WEB_URL/   (sign in with the administrator below; English / 中文 at the top right)
  identity   http://127.0.0.1:${PORTS[identity]}/api/auth/login  (sign-up: /api/auth/signup; admin: $TM_ADMIN_EMAIL)
  profiles   http://127.0.0.1:${PORTS[profiles]}/api/profiles    (OpenAPI: /openapi/v1.json; reference data: /api/taxonomy, /api/career-stages, /api/skills)
  positions  http://127.0.0.1:${PORTS[positions]}/api/positions   (OpenAPI: /openapi/v1.json; institutions: http://127.0.0.1:${PORTS[positions]}/api/institutions)
  matching   http://127.0.0.1:${PORTS[matching]}/api/positions/{id}/candidates  (OpenAPI: /openapi/v1.json)
  health     /health/live and /health/ready on each service
  PostgreSQL 127.0.0.1:$TM_PG_PORT (user $TM_PG_USER), RabbitMQ amqp://$TM_RABBIT_USER:$TM_RABBIT_PASSWORD@127.0.0.1:$TM_RABBIT_PORT
  logs       $RUN_DIR/*.log

Every API except health, OpenAPI and reference data needs a bearer token (15 minutes), e.g. the administrator's:
  token=\$(curl -sS -X POST http://127.0.0.1:${PORTS[identity]}/api/auth/login -H 'content-type: application/json' \\
    -d $login_body | sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p')
Try: curl -sS -H "Authorization: Bearer \$token" 'http://127.0.0.1:${PORTS[matching]}/api/positions/$first_position/candidates?pageSize=5'
Stop: ${stop_env}bash $(shell_quote "$REPO_ROOT/deploy/down.sh")
EOF2
