#!/usr/bin/env bash
# Starts the whole platform on this machine: PostgreSQL and RabbitMQ (installed if missing), a development mail server
# (smtp4dev, from the tool manifest), the identity, profiles, positions and matching services, the web app, and the
# demo data set; then prints where to look. Safe to run again:
# what is already running is left alone and demo data is only loaded into empty services.
# Stop everything with deploy/down.sh.
set -euo pipefail

REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$REPO_ROOT"
export TM_INSTANCE=${TM_INSTANCE:-dev}
RUN_DIR=$REPO_ROOT/deploy/.local/$TM_INSTANCE/services
DEMO_PROFILES=${TM_DEMO_PROFILES:-300}
declare -A PORTS=([identity]=${TM_IDENTITY_PORT:-5100} [matching]=${TM_MATCHING_PORT:-5103} [profiles]=${TM_PROFILES_PORT:-5101} [positions]=${TM_POSITIONS_PORT:-5102} [web]=${TM_WEB_PORT:-5104})
# The identity service is the platform's OpenID Connect provider: it signs tokens with RSA keys kept under
# deploy/.local/<instance>/auth/signing-keys (bash deploy/signing-key.sh list|rotate|retire); the other services
# fetch its public keys from http://127.0.0.1:<identity port>/. Client secrets are random per installation.
source "$REPO_ROOT/deploy/signing-key.sh"
AUTH_DIR=$REPO_ROOT/deploy/.local/$TM_INSTANCE/auth
TM_WEB_CLIENT_SECRET=${TM_WEB_CLIENT_SECRET:-$(installation_secret "$AUTH_DIR/web-client-secret")}
TM_CLIENT_SECRET=${TM_CLIENT_SECRET:-$(installation_secret "$AUTH_DIR/cli-secret")}
export TM_CLIENT_ID=talentmatch-cli TM_CLIENT_SECRET TM_WEB_CLIENT_SECRET
export TM_DEMO_PASSWORD=${TM_DEMO_PASSWORD:-demo-password-2026}
SMTP_PORT=${TM_SMTP_PORT:-2525} MAIL_UI_PORT=${TM_MAIL_UI_PORT:-5081}
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
step "Mail (smtp4dev: keeps what the platform sends under deploy/.local/$TM_INSTANCE/mail and shows it in a web page)"
dotnet tool restore >/dev/null
mkdir -p "$REPO_ROOT/deploy/.local/$TM_INSTANCE/mail"
if [[ -f $RUN_DIR/smtp4dev.pid ]] && kill -0 "$(cat "$RUN_DIR/smtp4dev.pid")" 2>/dev/null; then
  echo "smtp4dev: already running"
else
  setsid nohup dotnet tool run smtp4dev --urls="http://127.0.0.1:$MAIL_UI_PORT" --smtpport="$SMTP_PORT" --bindaddress=127.0.0.1 \
    --imapport= --pop3port= --db="$REPO_ROOT/deploy/.local/$TM_INSTANCE/mail/smtp4dev.db" --nousersettings >>"$RUN_DIR/smtp4dev.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/smtp4dev.pid"
  echo "smtp4dev: started (pid $!, log $RUN_DIR/smtp4dev.log)"
fi
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
    identity) extra+=(Auth__Clients__Web__Secret="$TM_WEB_CLIENT_SECRET" Auth__Clients__Web__BaseUrl="$WEB_URL"
      Auth__Clients__Machines__0__ClientId="$TM_CLIENT_ID" Auth__Clients__Machines__0__Secret="$TM_CLIENT_SECRET"
      Auth__Clients__Machines__0__Role=admin) ;;
    web) extra+=(-u Auth__Admin__Password -u ConnectionStrings__Database -u RabbitMq__Password -u Auth__KeysDirectory
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
  Mail__SmtpHost=127.0.0.1 Mail__SmtpPort=$SMTP_PORT \
  Auth__Authority="http://127.0.0.1:${PORTS[identity]}/" Auth__KeysDirectory="$AUTH_DIR/signing-keys" \
  Auth__Admin__Email=$TM_ADMIN_EMAIL Auth__Admin__Password=$TM_ADMIN_PASSWORD \
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

shell_quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
token_url="http://127.0.0.1:${PORTS[identity]}/connect/token"
token=$(curl -fsS "$token_url" -d grant_type=client_credentials -d client_id=$TM_CLIENT_ID --data-urlencode "client_secret=$TM_CLIENT_SECRET" \
  -d scope=api | sed -n 's/.*"access_token": *"\([^"]*\)".*/\1/p')

first_position=$(curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:${PORTS[positions]}/api/positions?pageSize=1" | sed -n 's/.*"items":\[{"id":"\([^"]*\)".*/\1/p')

# What follows is printed for copying: every command must work pasted as it is, from any folder, so paths are absolute
# and quoted.
secret_file=$(shell_quote "$AUTH_DIR/cli-secret")
# down.sh finds the instance from these; the defaults need no mention.
stop_env=
[[ $TM_INSTANCE == dev && $TM_PG_PORT == 54329 && $TM_RABBIT_PORT == 35672 ]] ||
  stop_env="TM_INSTANCE=$(shell_quote "$TM_INSTANCE") TM_PG_PORT=$TM_PG_PORT TM_RABBIT_PORT=$TM_RABBIT_PORT "

cat <<EOF2

TalentMatch is running.
  web app    $WEB_URL/   (sign in with a demo account below; English / 中文 at the top right)
  identity   http://127.0.0.1:${PORTS[identity]}/.well-known/openid-configuration  (OpenID Connect provider; sign-up: /api/auth/signup; admin: $TM_ADMIN_EMAIL)
  profiles   http://127.0.0.1:${PORTS[profiles]}/api/profiles    (OpenAPI: /openapi/v1.json; reference data: /api/taxonomy, /api/career-stages, /api/skills)
  positions  http://127.0.0.1:${PORTS[positions]}/api/positions   (OpenAPI: /openapi/v1.json; institutions: http://127.0.0.1:${PORTS[positions]}/api/institutions)
  matching   http://127.0.0.1:${PORTS[matching]}/api/positions/{id}/candidates  (OpenAPI: /openapi/v1.json)
  mail       http://127.0.0.1:$MAIL_UI_PORT/  (smtp4dev: every e-mail the platform sends, such as sign-up confirmations and password resets)
  health     /health/live and /health/ready on each service
  PostgreSQL 127.0.0.1:$TM_PG_PORT (user $TM_PG_USER), RabbitMQ amqp://$TM_RABBIT_USER:$TM_RABBIT_PASSWORD@127.0.0.1:$TM_RABBIT_PORT
  logs       $RUN_DIR/*.log

Every API except health, OpenAPI and reference data needs a bearer token (15 minutes), e.g. the admin machine client's:
  token=\$(curl -sS $token_url -d grant_type=client_credentials -d client_id=$TM_CLIENT_ID -d scope=api \\
    --data-urlencode client_secret=\$(cat $secret_file) | sed -n 's/.*"access_token": *"\([^"]*\)".*/\1/p')
Demo accounts (password $TM_DEMO_PASSWORD; they sign in at the provider's page, http://127.0.0.1:${PORTS[identity]}/account/login,
through the web app): hr@demo.talentmatch.local, ambassador@demo.talentmatch.local, researcher@demo.talentmatch.local
(the researcher signed up: before the first sign-in, open the confirmation link mailed to it at http://127.0.0.1:$MAIL_UI_PORT/;
"Forgot your password?" on the sign-in page mails a link that confirms too);
administrator: $TM_ADMIN_EMAIL / $(shell_quote "$TM_ADMIN_PASSWORD").
Try: curl -sS -H "Authorization: Bearer \$token" 'http://127.0.0.1:${PORTS[matching]}/api/positions/$first_position/candidates?pageSize=5'
Stop: ${stop_env}bash $(shell_quote "$REPO_ROOT/deploy/down.sh")
EOF2
