#!/usr/bin/env bash
# Local PostgreSQL 15 + RabbitMQ 3.10 for TalentMatch dev/test runs.
# There is no Docker on our machines (see /work/shared/DESIGN.md), so both run as plain
# processes bound to 127.0.0.1, on project ports, with all state under a git-ignored folder.
#
# Usage: deploy/infra.sh install
#        deploy/infra.sh start  [postgres|rabbitmq|all]   (default all)
#        deploy/infra.sh stop   [postgres|rabbitmq|all]   (default all)
#        deploy/infra.sh kill   rabbitmq                  (kill -9 the broker, for fault tests)
#        deploy/infra.sh status                           (exit 0 = all running, 3 = something stopped)
#        deploy/infra.sh env                              (eval "$(deploy/infra.sh env)")
#        deploy/infra.sh dir                              (where this instance keeps its data)
#        deploy/infra.sh rabbitmqctl|rabbitmq-diagnostics|rabbitmq-queues <args>
#                                                         (CLI against this instance's node)
#
# Environment (all optional):
#   TM_INSTANCE          instance name, default dev (separate data, node name; give it its own ports)
#   TM_INFRA_DIR         data/log/pid root, default <repo>/deploy/.local/<instance>
#   TM_PG_PORT           PostgreSQL port, default 54329
#   TM_RABBIT_PORT       AMQP port, default 35672
#   TM_RABBIT_DIST_PORT  Erlang distribution port, default TM_RABBIT_PORT+1
#   TM_RABBIT_EPMD_PORT  this instance's own epmd, default TM_RABBIT_PORT+2
#   TM_RABBIT_CLI_PORT   first of 7 ports for rabbitmqctl's own Erlang node, default TM_RABBIT_PORT+3
#   TM_INFRA_TIMEOUT     seconds to wait for start/stop, default 180 (a broker booting on a busy 2-core
#                        machine, as CI's test runs make it, can take more than a minute)
#
# Security note: this is a throw-away dev/test cluster. PostgreSQL trusts every connection on its
# unix socket and on 127.0.0.1 (it listens on nothing else); the postgres password is set anyway so
# clients that send one work and scram can be switched on later. RabbitMQ's guest/guest only works
# from loopback, which is all it listens on.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
SELF=$SCRIPT_DIR/$(basename -- "${BASH_SOURCE[0]}")   # absolute: re-run from other cwds
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd -P)

TM_INSTANCE=${TM_INSTANCE:-dev}
TM_INFRA_DIR=${TM_INFRA_DIR:-$REPO_ROOT/deploy/.local/$TM_INSTANCE}
# PostgreSQL and RabbitMQ run as their own users: when those cannot reach the checkout (e.g. a clone inside a
# root-only `mktemp -d` folder), keep the instance's data in a folder of its own under /var/lib instead.
if [[ $TM_INFRA_DIR == "$REPO_ROOT/deploy/.local/$TM_INSTANCE" ]] && id postgres >/dev/null 2>&1 \
  && ! runuser -u postgres -- test -x "$REPO_ROOT/deploy" 2>/dev/null; then
  TM_INFRA_DIR=/var/lib/talentmatch/$(printf '%s' "$REPO_ROOT" | md5sum | cut -c1-12)/$TM_INSTANCE
  mkdir -p "$TM_INFRA_DIR" && chmod 755 /var/lib/talentmatch "$(dirname "$TM_INFRA_DIR")"
fi
TM_PG_PORT=${TM_PG_PORT:-54329}
TM_RABBIT_PORT=${TM_RABBIT_PORT:-35672}
TM_RABBIT_DIST_PORT=${TM_RABBIT_DIST_PORT:-$((TM_RABBIT_PORT + 1))}
TM_RABBIT_EPMD_PORT=${TM_RABBIT_EPMD_PORT:-$((TM_RABBIT_PORT + 2))}
TM_RABBIT_CLI_PORT=${TM_RABBIT_CLI_PORT:-$((TM_RABBIT_PORT + 3))}
TM_INFRA_TIMEOUT=${TM_INFRA_TIMEOUT:-180}

readonly HOST=127.0.0.1
readonly PG_USER=postgres PG_PASSWORD=postgres
readonly RABBIT_USER=guest RABBIT_PASSWORD=guest
readonly PG_BIN=/usr/lib/postgresql/15/bin
readonly RABBIT_BIN=/usr/lib/rabbitmq/bin   # unwrapped scripts: we switch user ourselves
readonly NODE="tm-$TM_INSTANCE@localhost"

PG_DIR=$TM_INFRA_DIR/postgres
PG_DATA=$PG_DIR/data
PG_SOCK=$PG_DIR/run
PG_LOG=$PG_DIR/postgres.log
RMQ_DIR=$TM_INFRA_DIR/rabbitmq
RMQ_LOG_DIR=$RMQ_DIR/log
RMQ_CONSOLE=$RMQ_LOG_DIR/console.log
RMQ_PID_FILE=$RMQ_DIR/beam.pid       # written by the broker itself: the beam OS pid
RMQ_LAUNCHER_PID=$RMQ_DIR/launcher.pid

die() { echo "infra.sh: error: $*" >&2; exit 1; }
say() { echo "infra.sh[$TM_INSTANCE]: $*"; }

validate() {
  [[ $TM_INSTANCE =~ ^[A-Za-z0-9_-]+$ ]] || die "TM_INSTANCE must match [A-Za-z0-9_-]+ (it becomes a node name)"
  local p
  for p in TM_PG_PORT TM_RABBIT_PORT TM_RABBIT_DIST_PORT TM_RABBIT_EPMD_PORT TM_RABBIT_CLI_PORT TM_INFRA_TIMEOUT; do
    [[ ${!p} =~ ^[0-9]+$ ]] || die "$p must be a number, got '${!p}'"
  done
}

# True when something accepts TCP connections on 127.0.0.1:$1 (bash /dev/tcp: no ss/nc needed).
# shellcheck disable=SC2016 # $1 is expanded by the inner bash, on purpose
port_open() { timeout 1 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null; }

# Wait (bounded) until none of the given ports accepts connections.
wait_ports_free() {
  local deadline=$((SECONDS + TM_INFRA_TIMEOUT)) p busy
  while :; do
    busy=""
    for p in "$@"; do if port_open "$p"; then busy+=" $p"; fi; done
    [[ -z $busy ]] && return 0
    ((SECONDS < deadline)) || die "ports still in use after ${TM_INFRA_TIMEOUT}s:$busy"
    sleep 0.3
  done
}

# Alive and not a zombie: PID 1 on these VMs does not reap orphans promptly, and kill -0 succeeds on
# zombies, so a dead broker would otherwise look "running".
pid_alive() {
  local pid=${1:-} state
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  state=$(sed -e 's/^.*) //' "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ ${state:0:1} != Z ]]
}

log_tail() {
  local f
  for f in "$@"; do
    [[ -s $f ]] || continue
    echo "----- last lines of $f -----" >&2
    tail -n 40 "$f" >&2
  done
}

# start/stop/kill of one instance must not interleave (two terminals, parallel test runs).
# Every long-lived child gets 9>&- so a running server never keeps holding this lock.
take_lock() {
  mkdir -p "$TM_INFRA_DIR"
  exec 9>"$TM_INFRA_DIR/.lock"
  flock -w $((TM_INFRA_TIMEOUT * 2)) 9 || die "another infra.sh is busy with $TM_INFRA_DIR"
}

# PostgreSQL refuses to run as root; the Debian rabbitmq files belong to the rabbitmq user.
run_as() {
  local user=$1; shift
  if [[ $EUID -eq 0 ]]; then
    runuser -u "$user" -- "$@"
  elif [[ $(id -un) == "$user" ]]; then
    "$@"
  else
    die "run as root (or as $user)"
  fi
}

# ---------------------------------------------------------------- install

pkg_installed() { [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true) == installed ]]; }

cmd_install() {
  local missing=() p
  for p in postgresql-15 rabbitmq-server; do pkg_installed "$p" || missing+=("$p"); done
  if ((${#missing[@]} == 0)); then
    say "install: postgresql-15 and rabbitmq-server already installed"
    return 0
  fi
  [[ $EUID -eq 0 ]] || die "install needs root"

  # Without systemd, the packages' postinst would start a system-wide broker on 5672 (plus epmd on
  # 4369) and a 'main' PostgreSQL cluster on 5432. A policy-rc.d answering 101 ("forbidden") stops
  # invoke-rc.d/deb-systemd-invoke from starting anything. Only add one if none exists.
  local policy=/usr/sbin/policy-rc.d added_policy=""
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\n# temporary, from TalentMatch deploy/infra.sh install\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    added_policy=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi

  say "install: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q -o DPkg::Lock::Timeout=120
  apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=120 "${missing[@]}"

  if [[ -n $added_policy ]]; then rm -f "$policy"; trap - EXIT; fi

  # With systemd, postinst also enabled rabbitmq-server.service for boot: a system broker on 5672 is
  # not what we want next to ours. (The packaged PostgreSQL 'main' cluster on 5432 does not get in
  # our way and nothing here needs it, so it is left as Debian configured it.)
  if [[ " ${missing[*]} " == *" rabbitmq-server "* && -d /run/systemd/system ]]; then
    systemctl disable --now rabbitmq-server.service >/dev/null 2>&1 || true
  fi
  say "install: done"
}

require_installed() {
  [[ -x $PG_BIN/postgres && -x $RABBIT_BIN/rabbitmq-server ]] || die "packages missing: run '$0 install' first"
}

# ---------------------------------------------------------------- postgres

pg_running() { [[ -f $PG_DATA/PG_VERSION ]] && run_as postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }
pg_pid() { head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null || true; }
pg_psql() { "$PG_BIN/psql" -X -h "$HOST" -p "$TM_PG_PORT" -U "$PG_USER" -d postgres "$@"; }

pg_init() {
  [[ -f $PG_DATA/PG_VERSION ]] && return 0
  say "postgres: initdb in $PG_DATA"
  mkdir -p "$PG_DIR"
  chown postgres:postgres "$PG_DIR" 2>/dev/null || true
  local pwfile=$PG_DIR/.pwfile
  (umask 077; printf '%s\n' "$PG_PASSWORD" >"$pwfile")
  chown postgres:postgres "$pwfile" 2>/dev/null || true
  # C.UTF-8 always exists on Debian 12; UTF8 so tests see the same collation everywhere.
  if ! run_as postgres "$PG_BIN/initdb" -D "$PG_DATA" -U "$PG_USER" --pwfile="$pwfile" \
      -E UTF8 --locale=C.UTF-8 --auth=trust >"$PG_DIR/initdb.log" 2>&1; then
    rm -f "$pwfile"
    log_tail "$PG_DIR/initdb.log"
    die "initdb failed"
  fi
  rm -f "$pwfile"
  run_as postgres tee "$PG_DATA/pg_hba.conf" >/dev/null <<'EOF'
# TalentMatch dev/test cluster (deploy/infra.sh): trust on the unix socket and on 127.0.0.1 only.
# The server listens on nothing else. Not for anything that holds real data.
local   all  all                trust
host    all  all  127.0.0.1/32  trust
EOF
  run_as postgres tee -a "$PG_DATA/postgresql.conf" >/dev/null <<'EOF'

# ---- TalentMatch dev/test settings (deploy/infra.sh) ----
# tests create many databases and connection pools
max_connections = 300
shared_buffers = 256MB
timezone = 'UTC'
log_timezone = 'UTC'
lc_messages = 'C'
# port, address and socket dir are rewritten on every start so TM_PG_PORT etc. always apply
include_if_exists = 'tm-runtime.conf'
EOF
}

pg_start() {
  if pg_running; then
    say "postgres: already running (pid $(pg_pid)) on $HOST:$TM_PG_PORT"
  else
    port_open "$TM_PG_PORT" && die "port $TM_PG_PORT is taken by another process (set TM_PG_PORT)"
    pg_init
    mkdir -p "$PG_SOCK"
    chown postgres:postgres "$PG_SOCK" 2>/dev/null || true
    # Socket inside our folder: /var/run/postgresql may not exist and belongs to the system cluster.
    run_as postgres tee "$PG_DATA/tm-runtime.conf" >/dev/null <<EOF
# written by deploy/infra.sh start; do not edit
listen_addresses = '$HOST'
port = $TM_PG_PORT
unix_socket_directories = '$PG_SOCK'
EOF
    say "postgres: starting on $HOST:$TM_PG_PORT"
    # pg_ctl -w waits until the postmaster reports ready; the server detaches (setsid) itself.
    if ! run_as postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$TM_INFRA_TIMEOUT" start >/dev/null 9>&-; then
      log_tail "$PG_LOG"
      # pg_ctl gives up waiting but leaves a slow postmaster running: do not leave it behind
      run_as postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1 || true
      die "postgres did not start within ${TM_INFRA_TIMEOUT}s"
    fi
  fi
  # Ready means a real query over TCP works, not just a pid.
  local deadline=$((SECONDS + TM_INFRA_TIMEOUT))
  until pg_psql -Atqc 'select 1' >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then log_tail "$PG_LOG"; die "postgres not answering on $HOST:$TM_PG_PORT"; fi
    sleep 0.3
  done
  say "postgres: ready"
}

pg_stop() {
  if ! pg_running; then
    say "postgres: not running"
  else
    say "postgres: stopping (pid $(pg_pid))"
    run_as postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t "$TM_INFRA_TIMEOUT" stop >/dev/null ||
      { log_tail "$PG_LOG"; die "pg_ctl stop failed"; }
  fi
  wait_ports_free "$TM_PG_PORT"
}

# ---------------------------------------------------------------- rabbitmq

# Everything the broker and its CLI need. Each instance gets its own epmd port (so nothing is shared
# with a system epmd on 4369 or with the other instance) and its own range for the CLI's Erlang node:
# rabbitmqctl's default CLI range is 35672-35682, i.e. exactly our AMQP ports.
RMQ_ENV=(
  HOME=/var/lib/rabbitmq   # the package's Erlang cookie lives there
  "RABBITMQ_NODENAME=$NODE"
  "RABBITMQ_NODE_IP_ADDRESS=$HOST"
  "RABBITMQ_NODE_PORT=$TM_RABBIT_PORT"
  "RABBITMQ_DIST_PORT=$TM_RABBIT_DIST_PORT"
  "ERL_EPMD_PORT=$TM_RABBIT_EPMD_PORT"
  "ERL_EPMD_ADDRESS=$HOST"
  "RABBITMQ_CTL_DIST_PORT_MIN=$TM_RABBIT_CLI_PORT"
  "RABBITMQ_CTL_DIST_PORT_MAX=$((TM_RABBIT_CLI_PORT + 6))"
  "RABBITMQ_CONF_ENV_FILE=$RMQ_DIR/rabbitmq-env.conf"
  "RABBITMQ_CONFIG_FILE=$RMQ_DIR/rabbitmq.conf"
  "RABBITMQ_ADVANCED_CONFIG_FILE=$RMQ_DIR/advanced.config"
  "RABBITMQ_ENABLED_PLUGINS_FILE=$RMQ_DIR/enabled_plugins"
  "RABBITMQ_MNESIA_BASE=$RMQ_DIR/mnesia"
  "RABBITMQ_LOG_BASE=$RMQ_LOG_DIR"
  "RABBITMQ_PID_FILE=$RMQ_PID_FILE"
  "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}"
  "ERL_CRASH_DUMP=$RMQ_LOG_DIR/erl_crash.dump"
)

# rabbitmqctl / rabbitmq-diagnostics / rabbitmq-queues against this instance's node.
rmq_cli() {
  local tool=$1; shift
  (cd "$RMQ_DIR" && run_as rabbitmq env "${RMQ_ENV[@]}" "$RABBIT_BIN/$tool" -n "$NODE" "$@") 9>&-
}

rmq_is_our_beam() { pid_alive "$1" && tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null | grep -qxF "RABBITMQ_NODENAME=$NODE"; }
rmq_beam_pid() {
  local pid
  pid=$(cat "$RMQ_PID_FILE" 2>/dev/null || true)
  # a stale pid file after kill -9 may point at a recycled pid: check it is our node's beam
  # (the node name is not on beam's command line, but it is in its environment)
  if rmq_is_our_beam "$pid"; then
    echo "$pid"
    return
  fi
  # A broker still booting has not written its pid file yet: find it by its environment.
  for pid in /proc/[0-9]*; do
    pid=${pid#/proc/}
    if [[ $(cat "/proc/$pid/comm" 2>/dev/null) == beam.smp ]] && rmq_is_our_beam "$pid"; then
      echo "$pid"
      return
    fi
  done
}
rmq_launcher_pid() {
  local pid
  pid=$(cat "$RMQ_LAUNCHER_PID" 2>/dev/null || true)
  if pid_alive "$pid"; then echo "$pid"; fi
}
rmq_running() { [[ -n $(rmq_beam_pid) || -n $(rmq_launcher_pid) ]]; }

rmq_prepare() {
  mkdir -p "$RMQ_DIR" "$RMQ_LOG_DIR" "$RMQ_DIR/mnesia"
  # no plugins: management would cost ~100 MB and seconds of boot; rabbitmqctl covers our needs
  [[ -f $RMQ_DIR/enabled_plugins ]] || echo '[].' >"$RMQ_DIR/enabled_plugins"
  # empty on purpose: keeps /etc/rabbitmq/rabbitmq-env.conf out of the picture
  : >"$RMQ_DIR/rabbitmq-env.conf"
  cat >"$RMQ_DIR/rabbitmq.conf" <<EOF
# written by deploy/infra.sh start; do not edit
listeners.tcp.default = $HOST:$TM_RABBIT_PORT
loopback_users.guest = true
log.file.level = info
log.console = false
EOF
  chown -R rabbitmq:rabbitmq "$RMQ_DIR" 2>/dev/null || true
}

# A start that fails must not leave a half-booted broker behind (CI would trip over it later).
RMQ_LAUNCHED=""
rmq_fail() {
  log_tail "$RMQ_CONSOLE" "$RMQ_LOG_DIR/$NODE.log"
  if [[ -n $RMQ_LAUNCHED ]]; then
    rmq_kill_tree KILL "$(rmq_launcher_pid)" "$(rmq_beam_pid)"
    rmq_stop_epmd
  fi
  die "$@"
}

rmq_wait_ready() {
  local deadline=$((SECONDS + TM_INFRA_TIMEOUT))
  until port_open "$TM_RABBIT_PORT"; do
    rmq_running || rmq_fail "rabbitmq exited during startup"
    ((SECONDS < deadline)) || rmq_fail "rabbitmq AMQP port $TM_RABBIT_PORT not open after ${TM_INFRA_TIMEOUT}s"
    sleep 0.5
  done
  local left=$((deadline - SECONDS)); ((left > 5)) || left=5
  rmq_cli rabbitmqctl await_startup --timeout "$left" >/dev/null 2>&1 ||
    rmq_fail "rabbitmqctl await_startup failed for $NODE"
}

rmq_start() {
  rmq_prepare
  if rmq_running; then
    say "rabbitmq: already running (pid $(rmq_beam_pid)) on $HOST:$TM_RABBIT_PORT"
  else
    local p
    for p in "$TM_RABBIT_PORT" "$TM_RABBIT_DIST_PORT"; do
      port_open "$p" && die "port $p is taken by another process (set TM_RABBIT_PORT / TM_RABBIT_DIST_PORT)"
    done
    say "rabbitmq: starting node $NODE on $HOST:$TM_RABBIT_PORT"
    # -detached does not work here, so run the foreground server in its own session (setsid -w keeps
    # the launcher alive as long as the broker, so `kill -- -pgid` can reach the whole tree).
    echo "=== $(date -u +%FT%TZ) infra.sh starting $NODE" >>"$RMQ_CONSOLE"
    (cd "$RMQ_DIR" && exec setsid -w "$SELF" __rabbit_foreground) </dev/null >>"$RMQ_CONSOLE" 2>&1 9>&- &
    echo $! >"$RMQ_LAUNCHER_PID"
    disown   # no "Killed" job notice from this shell if a failed start has to kill it
    RMQ_LAUNCHED=1
  fi
  rmq_wait_ready
  say "rabbitmq: ready"
}

rmq_stop() {
  # Remember the pids up front: the broker deletes its pid file early in its shutdown.
  local bp lp deadline
  bp=$(rmq_beam_pid); lp=$(rmq_launcher_pid)
  if [[ -z $bp && -z $lp ]]; then
    say "rabbitmq: not running"
  else
    say "rabbitmq: stopping (pid ${bp:-booting})"
    # `stop <pidfile>` returns once the OS process is gone; SIGTERM is the broker's own graceful stop
    if [[ -n $bp ]]; then
      rmq_cli rabbitmqctl -t "$TM_INFRA_TIMEOUT" stop "$RMQ_PID_FILE" >/dev/null 2>&1 || kill -TERM "$bp" 2>/dev/null || true
    else
      rmq_kill_tree TERM "$lp" ""
    fi
    deadline=$((SECONDS + TM_INFRA_TIMEOUT))
    while pid_alive "$bp" || pid_alive "$lp"; do
      if ((SECONDS >= deadline)); then
        say "rabbitmq: no clean stop after ${TM_INFRA_TIMEOUT}s, sending KILL"
        rmq_kill_tree KILL "$lp" "$bp"
        sleep 0.5
        break
      fi
      sleep 0.2
    done
  fi
  rmq_stop_epmd
  wait_ports_free "$TM_RABBIT_PORT" "$TM_RABBIT_DIST_PORT" "$TM_RABBIT_EPMD_PORT"
}

# Signal the launcher's process group (launcher, runuser, wrapper script, beam) and beam itself.
rmq_kill_tree() {
  local sig=$1 lp=$2 bp=$3
  if [[ -n $lp ]]; then kill "-$sig" -- "-$lp" 2>/dev/null || true; fi
  if [[ -n $bp ]]; then kill "-$sig" "$bp" 2>/dev/null || true; fi
}

# The broker (and every rabbitmqctl call) starts an epmd on our port; it outlives the node.
# epmd refuses -kill while a node is still registered, and it notices a node's exit a moment
# after the process is gone, so retry; as a last resort signal the epmd that owns our port.
rmq_stop_epmd() {
  local deadline=$((SECONDS + 10)) pid
  while port_open "$TM_RABBIT_EPMD_PORT"; do
    if ((SECONDS >= deadline)); then
      for pid in /proc/[0-9]*; do
        [[ $(cat "$pid/comm" 2>/dev/null) == epmd ]] || continue
        if tr '\0' '\n' <"$pid/environ" 2>/dev/null | grep -qxF "ERL_EPMD_PORT=$TM_RABBIT_EPMD_PORT"; then
          kill "${pid#/proc/}" 2>/dev/null || true
        fi
      done
      return 0
    fi
    env ERL_EPMD_PORT="$TM_RABBIT_EPMD_PORT" epmd -kill >/dev/null 2>&1 9>&- || true
    sleep 0.3
  done
}

rmq_kill() {
  local bp lp deadline
  bp=$(rmq_beam_pid); lp=$(rmq_launcher_pid)
  if [[ -z $bp && -z $lp ]]; then
    say "rabbitmq: no broker process to kill"
    return 0
  fi
  say "rabbitmq: kill -9 ${bp:-"(beam not started yet)"} (beam)"
  # A broker caught while starting has a launcher but maybe no beam yet: kill the launcher's whole group too,
  # so no half-started broker binds the port after we return.
  rmq_kill_tree 9 "$lp" "$bp"
  # the launcher chain exits once beam is gone; wait for that and for the broker ports
  deadline=$((SECONDS + TM_INFRA_TIMEOUT))
  while pid_alive "$bp" || pid_alive "$lp"; do
    ((SECONDS < deadline)) || die "rabbitmq processes still alive after kill"
    sleep 0.2
  done
  wait_ports_free "$TM_RABBIT_PORT" "$TM_RABBIT_DIST_PORT"
}

# ---------------------------------------------------------------- commands

pg_conn() { echo "Host=$HOST;Port=$TM_PG_PORT;Username=$PG_USER;Password=$PG_PASSWORD"; }
rmq_conn() { echo "amqp://$RABBIT_USER:$RABBIT_PASSWORD@$HOST:$TM_RABBIT_PORT/"; }

cmd_status() {
  local rc=0 bp
  echo "instance $TM_INSTANCE, data $TM_INFRA_DIR"
  if pg_running; then
    echo "postgres: running, pid $(pg_pid), $HOST:$TM_PG_PORT, socket dir $PG_SOCK"
  else
    echo "postgres: stopped ($HOST:$TM_PG_PORT)"; rc=3
  fi
  echo "  $(pg_conn)"
  bp=$(rmq_beam_pid)
  if [[ -n $bp ]] && port_open "$TM_RABBIT_PORT"; then
    echo "rabbitmq: running, pid $bp, node $NODE, amqp $HOST:$TM_RABBIT_PORT, dist $TM_RABBIT_DIST_PORT, epmd $TM_RABBIT_EPMD_PORT"
  elif rmq_running; then
    echo "rabbitmq: starting or stopping, node $NODE, amqp $HOST:$TM_RABBIT_PORT"; rc=3
  else
    echo "rabbitmq: stopped (amqp $HOST:$TM_RABBIT_PORT)"; rc=3
  fi
  echo "  $(rmq_conn)"
  echo "  CLI: $0 rabbitmqctl <command>   (rabbitmqctl -n $NODE with this instance's epmd port)"
  return "$rc"
}

cmd_env() {
  printf 'export %s=%q\n' \
    TM_PG_HOST "$HOST" TM_PG_PORT "$TM_PG_PORT" TM_PG_USER "$PG_USER" TM_PG_PASSWORD "$PG_PASSWORD" \
    TM_RABBIT_HOST "$HOST" TM_RABBIT_PORT "$TM_RABBIT_PORT" \
    TM_RABBIT_USER "$RABBIT_USER" TM_RABBIT_PASSWORD "$RABBIT_PASSWORD"
}

usage() { sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$SELF"; }

main() {
  local cmd=${1:-}; shift || true
  local what=${1:-all}
  validate
  case $cmd in
    install) cmd_install ;;
    start|stop)
      require_installed
      take_lock
      case $what in
        postgres) "pg_$cmd" ;;
        rabbitmq) "rmq_$cmd" ;;
        all) if [[ $cmd == start ]]; then pg_start; rmq_start; else rmq_stop; pg_stop; fi ;;
        *) die "unknown target '$what' (postgres|rabbitmq|all)" ;;
      esac ;;
    kill)
      [[ $what == rabbitmq ]] || die "only 'kill rabbitmq' is supported"
      require_installed; take_lock; rmq_kill ;;
    status) cmd_status ;;
    env) cmd_env ;;
    dir) echo "$TM_INFRA_DIR" ;;
    rabbitmqctl|rabbitmq-diagnostics|rabbitmq-queues) rmq_cli "$cmd" "$@" ;;
    # internal: what setsid runs, so the user switch (run_as) and RMQ_ENV live in one place
    __rabbit_foreground) run_as rabbitmq env "${RMQ_ENV[@]}" "$RABBIT_BIN/rabbitmq-server" ;;
    -h|--help|help|"") usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
