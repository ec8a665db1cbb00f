# shellcheck shell=bash
# shellcheck disable=SC2034  # the variables set here are used by the scripts that source it
# Shared helpers for the local-stack scripts (stack, test, up, down).
# Sourced, never executed. The caller has already done `set -euo pipefail`.
#
# Everything a stack needs (data, logs, pid files, Erlang cookie, secrets, env files) lives in
# one private directory, $CYCLADES_STACK_DIR. The servers listen on 127.0.0.1 only.

# --------------------------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------------------------

# Order matters: it fixes each service's HTTP port (base port + index).
CYCLADES_SERVICES=(gateway reglementation inscription organisation evaluation deliberation publication connector)

# Debian packages the project needs to build, test and run locally. The last three are tools
# these scripts use themselves (definitions hashing, secrets, health checks).
CYCLADES_PACKAGES=(postgresql-15 rabbitmq-server librabbitmq-dev libcairo2-dev libpango1.0-dev
                   fonts-dejavu-core poppler-utils python3 openssl curl chromium)

PG_BIN=/usr/lib/postgresql/15/bin
# Debian's /usr/sbin/rabbitmq* wrappers switch to the rabbitmq user and its directories;
# the scripts in /usr/lib/rabbitmq/bin honour our environment as they are.
RMQ_BIN=/usr/lib/rabbitmq/bin

CYCLADES_LOCAL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CYCLADES_REPO_DIR="$(cd "$CYCLADES_LOCAL_DIR/../.." && pwd)"

# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------

say() { printf '%s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# phase "title": a header with the seconds elapsed since the script started ($SECONDS).
phase() { printf '\n==> [%4ds] %s\n' "$SECONDS" "$*"; }

# tail_log FILE [N]: show the end of a log file to explain a failure.
tail_log() {
    local file=$1 lines=${2:-30}
    if [[ -s $file ]]; then
        printf -- '--- last %d lines of %s ---\n' "$lines" "$file" >&2
        tail -n "$lines" "$file" >&2 || true
        printf -- '--- end of %s ---\n' "$file" >&2
    else
        printf '(%s is empty or missing)\n' "$file" >&2
    fi
}

# --------------------------------------------------------------------------------------------
# Packages
# --------------------------------------------------------------------------------------------

# ensure_packages: install whatever is missing from CYCLADES_PACKAGES, non-interactively.
# Fast (a few dpkg calls) when everything is already there.
ensure_packages() {
    local pkg missing=()
    for pkg in "${CYCLADES_PACKAGES[@]}"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    ((${#missing[@]} == 0)) && return 0
    say "installing missing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
}

# --------------------------------------------------------------------------------------------
# Stack configuration
# --------------------------------------------------------------------------------------------

# require_private_dir DIR: refuse a stack directory that someone else could have prepared.
#
# The default directories live under /var/tmp, where any user may create a name first; the
# scripts (often run as root) read stack.env, source the env files and run what is there. A
# directory we do not own, a symlink, or one that group or others may write is refused, as are
# its env/secrets/run subdirectories and the files we read from them.
require_private_dir() {
    local dir=$1 me path owner mode
    [[ -e $dir || -L $dir ]] || return 0
    me=$(id -u)
    for path in "$dir" "$dir/stack.env" "$dir/env" "$dir/env/"* "$dir/secrets" "$dir/run"; do
        [[ -e $path || -L $path ]] || continue
        [[ ! -L $path ]] || die "$path is a symbolic link: refusing a stack directory that may not be ours"
        owner=$(stat -c %u "$path")
        mode=$(stat -c %a "$path")
        [[ $owner == "$me" ]] ||
            die "$path belongs to uid $owner, not to $(id -un): remove it or choose CYCLADES_STACK_DIR"
        (((8#$mode & 8#022) == 0)) ||
            die "$path is writable by group or others (mode $mode): remove it or choose CYCLADES_STACK_DIR"
    done
}

# stack_config: resolve the stack name, directory, ports and derived paths.
#
# Precedence for each setting: the environment, then $CYCLADES_STACK_DIR/stack.env (written by
# `stack up`, so a stack remembers the ports it was created with and a caller that knows only
# the directory, e.g. a test that stops the broker, reaches the right stack), then the
# defaults of the stack name.
stack_config() {
    CYCLADES_STACK_NAME=${CYCLADES_STACK_NAME:-}
    local guess_dir=${CYCLADES_STACK_DIR:-/var/tmp/cyclades-${CYCLADES_STACK_NAME:-demo}}
    require_private_dir "$guess_dir"
    if [[ -f $guess_dir/stack.env ]]; then
        local key value
        while IFS='=' read -r key value; do
            [[ $key =~ ^CYCLADES_[A-Z0-9_]+$ ]] || continue
            # Only fill what the environment did not set.
            [[ -n ${!key:-} ]] || printf -v "$key" '%s' "$value"
        done <"$guess_dir/stack.env"
    fi
    CYCLADES_STACK_NAME=${CYCLADES_STACK_NAME:-demo}
    CYCLADES_STACK_DIR=${CYCLADES_STACK_DIR:-/var/tmp/cyclades-$CYCLADES_STACK_NAME}

    # The name ends up in an Erlang node name and in paths: keep it simple.
    [[ $CYCLADES_STACK_NAME =~ ^[a-z0-9][a-z0-9-]*$ ]] ||
        die "CYCLADES_STACK_NAME must match [a-z0-9-]+ (got '$CYCLADES_STACK_NAME')"
    [[ $CYCLADES_STACK_DIR == /* ]] || die "CYCLADES_STACK_DIR must be an absolute path"

    local pg amqp epmd dist http
    case $CYCLADES_STACK_NAME in
        # Below the kernel's ephemeral range (32768-60999 here): a server port inside it can be
        # taken, between a stop and a restart, by any client socket's local port — seen as
        # eaddrinuse when a chaos test restarted the broker.
        demo) pg=25432 amqp=25672 epmd=24369 dist=25673 http=8100 ;;
        test) pg=26432 amqp=26672 epmd=26369 dist=26673 http=27100 ;;
        *) pg='' amqp='' epmd='' dist='' http='' ;;
    esac
    CYCLADES_PG_PORT=${CYCLADES_PG_PORT:-$pg}
    CYCLADES_AMQP_PORT=${CYCLADES_AMQP_PORT:-$amqp}
    CYCLADES_EPMD_PORT=${CYCLADES_EPMD_PORT:-$epmd}
    CYCLADES_AMQP_DIST_PORT=${CYCLADES_AMQP_DIST_PORT:-$dist}
    # HTTP port of service number i (in CYCLADES_SERVICES order) = base + i.
    CYCLADES_HTTP_BASE_PORT=${CYCLADES_HTTP_BASE_PORT:-$http}
    local var
    for var in CYCLADES_PG_PORT CYCLADES_AMQP_PORT CYCLADES_EPMD_PORT CYCLADES_AMQP_DIST_PORT \
        CYCLADES_HTTP_BASE_PORT; do
        [[ ${!var} =~ ^[0-9]+$ ]] ||
            die "$var is not set (stack '$CYCLADES_STACK_NAME' has no default ports; set all CYCLADES_*_PORT)"
    done

    local d=$CYCLADES_STACK_DIR
    LOG_DIR=$d/logs
    RUN_DIR=$d/run
    SECRETS_DIR=$d/secrets
    ENV_DIR=$d/env

    PG_DIR=$d/pg                  # owned by postgres, 0700
    PGDATA=$PG_DIR/data
    PG_LOG=$LOG_DIR/postgres.log
    # Unix socket paths are limited to ~107 bytes; with a long stack dir, disable the socket
    # (everything connects over TCP anyway).
    PG_SOCK_DIR=$d/pgsock
    if ((${#PG_SOCK_DIR} + ${#CYCLADES_PG_PORT} + 10 >= 100)); then PG_SOCK_DIR=''; fi

    RMQ_DIR=$d/rabbitmq
    RMQ_HOME=$RMQ_DIR/home        # Erlang cookie; server and CLI must share it
    RMQ_CONF=$RMQ_DIR/rabbitmq.conf
    RMQ_DEFINITIONS=$RMQ_DIR/definitions.json
    RMQ_PID_FILE=$RUN_DIR/rabbitmq.pid
    RMQ_LOG_DIR=$LOG_DIR/rabbitmq
    RMQ_NODENAME=cyclades-$CYCLADES_STACK_NAME@localhost
    # CLI tools (rabbitmqctl) open their own distribution listener: give each stack its own
    # small range just above the node's distribution port so two stacks never compete.
    RMQ_CTL_DIST_MIN=$((CYCLADES_AMQP_DIST_PORT + 1))
    RMQ_CTL_DIST_MAX=$((CYCLADES_AMQP_DIST_PORT + 10))

    # The environment of every RabbitMQ server or CLI process of this stack. Passed with
    # `env` rather than exported so it never leaks into the services we start.
    RMQ_ENV=(
        HOME="$RMQ_HOME"
        RABBITMQ_NODENAME="$RMQ_NODENAME"
        ERL_EPMD_PORT="$CYCLADES_EPMD_PORT"
        ERL_EPMD_ADDRESS=127.0.0.1
        RABBITMQ_DIST_PORT="$CYCLADES_AMQP_DIST_PORT"
        RABBITMQ_CTL_DIST_PORT_MIN="$RMQ_CTL_DIST_MIN"
        RABBITMQ_CTL_DIST_PORT_MAX="$RMQ_CTL_DIST_MAX"
        # Bind the Erlang distribution listeners (node and CLI) to loopback only.
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
        RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
        RABBITMQ_MNESIA_BASE="$RMQ_DIR/mnesia"
        RABBITMQ_LOG_BASE="$RMQ_LOG_DIR"
        RABBITMQ_CONFIG_FILE="$RMQ_CONF"
        RABBITMQ_ADVANCED_CONFIG_FILE="$RMQ_DIR/advanced.config"
        RABBITMQ_ENABLED_PLUGINS_FILE="$RMQ_DIR/enabled_plugins"
        RABBITMQ_PID_FILE="$RMQ_PID_FILE"
        RABBITMQ_CONF_ENV_FILE="$RMQ_DIR/rabbitmq-env.conf"
    )
}

# http_port SERVICE: the HTTP port of one service.
http_port() {
    local i
    for i in "${!CYCLADES_SERVICES[@]}"; do
        if [[ ${CYCLADES_SERVICES[$i]} == "$1" ]]; then
            echo $((CYCLADES_HTTP_BASE_PORT + i))
            return 0
        fi
    done
    die "unknown service '$1'"
}

# --------------------------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------------------------

# pid_alive PID: true if the process exists and is not a zombie. Nothing reaps orphans on
# these machines (PID 1 is not an init), so `kill -0` alone would call a dead daemon alive.
pid_alive() {
    local pid=$1 state
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    state=$(awk '/^State:/ {print $2; exit}' "/proc/$pid/status" 2>/dev/null) || return 1
    [[ -n $state && $state != Z && $state != X ]]
}

# read_pid FILE: print the pid stored in FILE (first line), or nothing.
read_pid() {
    [[ -r $1 ]] || return 0
    head -n 1 "$1" 2>/dev/null | tr -dc '0-9'
}

# pid_has_env PID KEY=VALUE: true if the process was started with that environment entry.
# Used to make sure a pid from a pid file is still ours before signalling it.
pid_has_env() {
    [[ -r /proc/$1/environ ]] && tr '\0' '\n' <"/proc/$1/environ" | grep -qxF -- "$2"
}

# wait_pid_exit PID SECONDS: wait until the process is gone; false on timeout.
wait_pid_exit() {
    local pid=$1 deadline=$((SECONDS + $2))
    while pid_alive "$pid"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
}

# terminate_pid PID SECONDS NAME: SIGTERM, wait, then SIGKILL.
terminate_pid() {
    local pid=$1 grace=$2 name=$3
    pid_alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_pid_exit "$pid" "$grace"; then
        warn "$name (pid $pid) still running after ${grace}s: sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        wait_pid_exit "$pid" 5 || warn "$name (pid $pid) did not exit"
    fi
}

# --------------------------------------------------------------------------------------------
# Secrets
# --------------------------------------------------------------------------------------------

# secret NAME [BYTES]: print a secret, generating it (hex) the first time. Secrets are never
# regenerated: the databases and the broker keep what they were created with.
secret() {
    local name=$1 bytes=${2:-24} file=$SECRETS_DIR/$1
    if [[ ! -s $file ]]; then
        install -d -m 0700 "$SECRETS_DIR"
        (umask 077 && openssl rand -hex "$bytes" >"$file.tmp" && mv "$file.tmp" "$file")
    fi
    cat "$file"
}

# --------------------------------------------------------------------------------------------
# Services (the Swift executables cyclades-<service>)
# --------------------------------------------------------------------------------------------

# service_pid SERVICE: the pid of the running service of this stack, or nothing. A pid file
# is trusted only if the process still runs that binary (an argument ending in
# /cyclades-SERVICE: the binary, or a script run by an interpreter) with this stack's
# environment: the pid may have been reused since.
service_pid() {
    local pid
    pid=$(read_pid "$RUN_DIR/$1.pid")
    if pid_alive "$pid" && pid_has_env "$pid" "CYCLADES_STACK_DIR=$CYCLADES_STACK_DIR" &&
        tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "/cyclades-$1\$"; then
        echo "$pid"
    fi
}

# stop_service SERVICE: SIGTERM, up to 15 s for a graceful exit, then SIGKILL.
stop_service() {
    local svc=$1 pid
    pid=$(service_pid "$svc")
    if [[ -n $pid ]]; then
        say "$svc: stopping pid $pid"
        terminate_pid "$pid" 15 "$svc"
    fi
    rm -f "$RUN_DIR/$svc.pid"
}

# start_service SERVICE BINARY: start `BINARY serve` in the background with the service's env
# file; output to $LOG_DIR/SERVICE.log (the previous run's log is kept as .log.1).
# close_inherited_fds: in a subshell about to become a daemon, close every descriptor above 2,
# so that the daemon keeps nothing of its caller's (the stack lock, or the pipe through which a
# test runner waits for `stack rabbitmq start` to finish).
close_inherited_fds() {
    local fd
    for fd in /proc/$BASHPID/fd/*; do
        fd=${fd##*/}
        if ((fd > 2)); then eval "exec ${fd}>&-"; fi
    done 2>/dev/null || true
}

start_service() {
    local svc=$1 bin=$2 env_file=$ENV_DIR/$1.env log=$LOG_DIR/$1.log pidfile=$RUN_DIR/$1.pid
    [[ -f $env_file ]] || die "missing $env_file: run 'deploy/local/stack up' first"
    [[ ! -f $log ]] || mv -f "$log" "$log.1"
    rm -f "$pidfile"
    # setsid: a session of its own, so the service outlives this script and its terminal.
    # The inner shell writes its own pid (setsid may have forked) and then execs the binary,
    # so the pid file names the service process itself.
    # shellcheck disable=SC2016  # expanded by the inner shell
    (close_inherited_fds
     exec setsid bash -c 'echo $$ >"$1"; set -a; . "$2"; set +a; exec "$3" serve' \
        "cyclades-$svc-launcher" "$pidfile" "$env_file" "$bin" </dev/null >"$log" 2>&1) &
    local deadline=$((SECONDS + 5))
    until [[ -s $pidfile ]]; do
        ((SECONDS < deadline)) || die "$svc: did not start (no pid file $pidfile)"
        sleep 0.05
    done
    say "$svc: started pid $(read_pid "$pidfile"), log $log"
}
