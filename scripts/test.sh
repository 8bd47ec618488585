#!/usr/bin/env bash
# scripts/test.sh - run stockura's whole test suite against real PostgreSQL,
# Redis and RabbitMQ servers.
#
# What it does:
#   1. PostgreSQL: uses $STOCKURA_TEST_PG_URL if set. Otherwise reuses a server
#      on 127.0.0.1:5432 that accepts user "postgres" without a password.
#      Otherwise it starts a throwaway cluster (initdb --auth=trust, temporary
#      directory, free port on 127.0.0.1), installing the Debian package
#      "postgresql" first if initdb/pg_ctl are missing.
#   2. Redis: uses $STOCKURA_TEST_REDIS_URL if set. Otherwise reuses a server on
#      127.0.0.1:6379 that answers PING. Otherwise it starts a throwaway
#      redis-server (no persistence, free port on 127.0.0.1), installing the
#      Debian package "redis-server" first if it is missing.
#   3. RabbitMQ: uses $STOCKURA_TEST_AMQP_URL if set, else a server on
#      127.0.0.1:5672 (guest/guest), starting the local rabbitmq-server when
#      nothing answers; installs the Debian package "rabbitmq-server" when
#      rabbitmqctl is missing (the tests create a virtual host each with
#      rabbitmqctl and start throwaway nodes, as root).
#   3b. Python: makes sure a python3 with the venv and ensurepip modules exists
#      (installing Debian "python3" and "python3-venv" if not).
#   4. Installs the Debian packages "redis-server" (tests that start their own
#      servers), "zsh" (the completion tests), "man-db" (the man page tests)
#      and "chromium" (the status page test, in a headless browser) when
#      redis-server, zsh, man or chromium is missing.
#   5. Runs the tests (`cargo test` plus this script's arguments) with
#      STOCKURA_TEST_PG_URL, STOCKURA_TEST_REDIS_URL and STOCKURA_TEST_PYTHON
#      exported, and exits with the tests' exit code.
#   Servers this script started are stopped, and their temporary directories
#   removed, on exit, Ctrl-C or SIGTERM. Servers it did not start are never
#   stopped or reconfigured; the tests create and drop their own uniquely
#   named databases and use their own Redis key prefixes.
#   Packages are installed with apt-get (through sudo when not root).
#
# Environment variables honoured:
#   DATABASE_URL, REDIS_URL   used like the two below when those are unset
#                             (a DATABASE_URL that is not postgres:// is ignored)
#   STOCKURA_TEST_PG_URL      PostgreSQL URL to use as is (no server is
#                             probed or started), e.g.
#                             postgres://postgres@127.0.0.1:5432/postgres
#   STOCKURA_TEST_REDIS_URL   Redis URL to use as is, e.g. redis://127.0.0.1:6379
#   STOCKURA_TEST_AMQP_URL    RabbitMQ URL without a vhost, e.g.
#                             amqp://guest:guest@127.0.0.1:5672 (its node must be
#                             reachable with rabbitmqctl; STOCKURA_TEST_RABBITMQ_NODE
#                             names it when it is not the local default)
#   STOCKURA_TEST_FORCE_LOCAL_SERVERS=1
#                             start throwaway servers even when servers answer
#                             on 127.0.0.1:5432 / 127.0.0.1:6379 (does not
#                             override the two URLs above)
#   STOCKURA_TEST_RUNNER      shell command run instead of `cargo test`; this
#                             script's arguments are appended to it
#   STOCKURA_TEST_PYTHON      python3 to give the tests (must have the venv and
#                             ensurepip modules); default: python3 from PATH
#   TMPDIR                    where the temporary directories are created
#
# Exported to the tests: STOCKURA_TEST_PG_URL, STOCKURA_TEST_REDIS_URL,
# STOCKURA_TEST_AMQP_URL, STOCKURA_TEST_PYTHON (path of a python3 able to create
# virtualenvs).
# The tests run in their own process group (setsid) without a controlling
# terminal; Ctrl-C / SIGTERM to this script is forwarded to that group.
#
# Usage: scripts/test.sh [cargo test arguments...]
#   e.g. scripts/test.sh -- --nocapture
set -euo pipefail

PROG="stockura test"
cd -P "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- state ----
TMP_ROOT=""           # temporary directory of this run (created lazily)
PG_DATA=""            # data dir of the throwaway cluster, if one was started
PG_RUN_USER=""        # unprivileged user running that cluster when we are root
PG_CTL=""
REDIS_DIR=""          # dir of the throwaway redis-server, if one was started
REDIS_PORT=""
EXTRA_DIRS=()         # further temporary directories to remove
CHILD_PID=""          # the test runner
APT_UPDATED=0

# shellcheck disable=SC2317  # invoked from the traps
stop_child() {
    local sig=$1 i
    [[ -n $CHILD_PID ]] || return 0
    # The runner is the leader of its own process group: signal the whole
    # group so test binaries and anything they spawned stop too.
    kill -s "$sig" -- "-$CHILD_PID" 2>/dev/null || kill -s "$sig" "$CHILD_PID" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        kill -0 "$CHILD_PID" 2>/dev/null || break
        sleep 0.1
    done
    # Leftovers of the group (e.g. background jobs ignoring SIGINT) get TERM,
    # a runner still alive after 10 s gets KILL.
    [[ $sig == TERM ]] || kill -s TERM -- "-$CHILD_PID" 2>/dev/null || true
    if kill -0 "$CHILD_PID" 2>/dev/null; then
        kill -s KILL -- "-$CHILD_PID" 2>/dev/null || kill -s KILL "$CHILD_PID" 2>/dev/null || true
    fi
    wait "$CHILD_PID" 2>/dev/null || true
    CHILD_PID=""
}

# shellcheck disable=SC2317  # invoked from the EXIT trap
cleanup() {
    local rc=$? pid i d
    set +e
    trap - EXIT INT TERM
    stop_child TERM
    if [[ -n $REDIS_DIR ]]; then
        if [[ -n $REDIS_PORT ]] && command -v redis-cli >/dev/null 2>&1; then
            timeout 5 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1
        fi
        pid=$(cat "$REDIS_DIR/redis.pid" 2>/dev/null)
        if [[ $pid =~ ^[0-9]+$ ]]; then
            kill "$pid" 2>/dev/null
            for ((i = 0; i < 50; i++)); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
            done
            kill -s KILL "$pid" 2>/dev/null
        fi
    fi
    if [[ -n $PG_DATA && -f $PG_DATA/postmaster.pid ]]; then
        as_pg_user "$PG_CTL" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1
        if [[ -f $PG_DATA/postmaster.pid ]]; then
            pid=$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null)
            [[ $pid =~ ^[0-9]+$ ]] && kill -s QUIT "$pid" 2>/dev/null
        fi
    fi
    for d in "${EXTRA_DIRS[@]}" "$TMP_ROOT"; do
        [[ -n $d && -d $d ]] && rm -rf -- "$d"
    done
    exit "$rc"
}
trap cleanup EXIT
trap 'stop_child INT; exit 130' INT
trap 'stop_child TERM; exit 143' TERM

# -------------------------------------------------------------- helpers ----
have() { command -v "$1" >/dev/null 2>&1; }

# Run a command with a time limit when coreutils' timeout is available.
with_timeout() {
    local secs=$1
    shift
    if have timeout; then timeout "$secs" "$@"; else "$@"; fi
}

tmp_root() {
    if [[ -z $TMP_ROOT ]]; then
        TMP_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/stockura-test.XXXXXX")
        chmod 755 "$TMP_ROOT"   # a throwaway postgres may run as another user
    fi
}

# Replace the password of a URL (user:password@ or ?password=) with ***.
redact_url() {
    printf '%s\n' "$1" | sed -E \
        -e 's#^([A-Za-z][A-Za-z0-9+.-]*://[^:@/]*):.*@#\1:***@#' \
        -e 's#([?&]password=)[^&]*#\1***#'
}

apt_install() {
    local -a sudo=()
    if ! have apt-get; then
        die "missing $*: install the Debian/Ubuntu package(s) '$*' (or their equivalent) and re-run"
    fi
    if [[ $(id -u) -ne 0 ]]; then
        have sudo || die "missing $*: run 'apt-get install -y --no-install-recommends $*' as root (sudo is not available) and re-run"
        # Never hang on a password prompt when there is no terminal (CI).
        if [[ -t 0 ]]; then sudo=(sudo); else sudo=(sudo -n); fi
    fi
    tmp_root
    log "installing $* with apt-get ..."
    if [[ $APT_UPDATED -eq 0 ]]; then
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$TMP_ROOT/apt.log" 2>&1 ||
            { tail -n 20 "$TMP_ROOT/apt.log" >&2; die "apt-get update failed; install '$*' manually and re-run"; }
        APT_UPDATED=1
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" \
        >>"$TMP_ROOT/apt.log" 2>&1 ||
        { tail -n 20 "$TMP_ROOT/apt.log" >&2; die "apt-get install $* failed; install it manually and re-run"; }
}

# A TCP port on 127.0.0.1 nobody listens on.
free_port() {
    local port i
    if [[ -n ${STOCKURA_TEST_PYTHON:-} ]] && port=$("$STOCKURA_TEST_PYTHON" -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()' 2>/dev/null) && [[ $port =~ ^[0-9]+$ ]]; then
        printf '%s\n' "$port"
        return 0
    fi
    for ((i = 0; i < 20; i++)); do
        port=$((20000 + (RANDOM * 32768 + RANDOM) % 40001))
        if ! tcp_open 127.0.0.1 "$port"; then
            printf '%s\n' "$port"
            return 0
        fi
    done
    die "could not find a free TCP port on 127.0.0.1"
}

tcp_open() { # host port
    # shellcheck disable=SC2016  # expanded by the inner bash
    with_timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# ----------------------------------------------------------------- python ----
python_ok() { [[ -n $1 ]] && "$1" -c 'import venv, ensurepip' >/dev/null 2>&1; }

resolve_python() {
    local py exe
    if [[ -n ${STOCKURA_TEST_PYTHON:-} ]]; then
        python_ok "$STOCKURA_TEST_PYTHON" ||
            die "STOCKURA_TEST_PYTHON=$STOCKURA_TEST_PYTHON is not a python3 with the venv and ensurepip modules"
        export STOCKURA_TEST_PYTHON
        return 0
    fi
    py=$(command -v python3 || true)
    if ! python_ok "$py"; then
        apt_install python3 python3-venv
        hash -r
        py=$(command -v python3 || true)
        python_ok "$py" || py=/usr/bin/python3
        python_ok "$py" || die "python3 with the venv and ensurepip modules is required: install the Debian packages python3 and python3-venv"
    fi
    # Prefer the real interpreter over wrappers such as pyenv shims.
    exe=$("$py" -c 'import sys; print(sys.executable or "")' 2>/dev/null || true)
    if [[ -n $exe && -x $exe ]] && python_ok "$exe"; then py=$exe; fi
    export STOCKURA_TEST_PYTHON=$py
}

# --------------------------------------------------------------- postgres ----
pg_answers() { # port: does it accept user postgres without a password?
    local port=$1
    if have psql; then
        with_timeout 15 env -u PGPASSWORD -u PGSERVICE -u PGSERVICEFILE PGPASSFILE=/dev/null PGCONNECT_TIMEOUT=5 \
            psql -X -q -w -At -d "postgresql://postgres@127.0.0.1:$port/postgres" -c 'select 1' >/dev/null 2>&1
    elif have pg_isready; then
        pg_isready -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -t 5 >/dev/null 2>&1
    else
        tcp_open 127.0.0.1 "$port"
    fi
}

find_pg_bins() { # directory holding both initdb and pg_ctl, newest first
    local dir
    local -a cands=()
    if have initdb; then
        cands+=("$(dirname "$(command -v initdb)")" "$(dirname "$(readlink -f "$(command -v initdb)")")")
    fi
    while IFS= read -r dir; do
        cands+=("$dir")
    done < <(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -type d -name bin 2>/dev/null | sort -rV)
    for dir in "${cands[@]}"; do
        if [[ -x $dir/initdb && -x $dir/pg_ctl ]]; then
            printf '%s\n' "$dir"
            return 0
        fi
    done
    return 1
}

# Run a command as the user owning the throwaway cluster.
as_pg_user() {
    if [[ -z $PG_RUN_USER ]]; then
        "$@"
    elif have runuser; then
        (cd / && runuser -u "$PG_RUN_USER" -- "$@")
    else
        (cd / && su -s /bin/bash "$PG_RUN_USER" -c "$(printf '%q ' "$@")")
    fi
}

pg_user_can_write() { # dir
    # shellcheck disable=SC2016  # expanded by the inner bash
    as_pg_user "$BASH" -c 'test -w "$1"' _ "$1"
}

start_postgres() {
    local bindir dir port u
    bindir=$(find_pg_bins) || {
        apt_install postgresql
        hash -r
        bindir=$(find_pg_bins) || die "initdb/pg_ctl not found even after installing the Debian package postgresql"
    }
    PG_CTL=$bindir/pg_ctl
    tmp_root
    dir=$TMP_ROOT/pg
    mkdir -p "$dir"
    if [[ $(id -u) -eq 0 ]]; then
        # PostgreSQL refuses to run as root.
        for u in postgres nobody; do
            if id -u "$u" >/dev/null 2>&1; then PG_RUN_USER=$u; break; fi
        done
        [[ -n $PG_RUN_USER ]] || die "running as root and no unprivileged user (postgres, nobody) exists to run PostgreSQL"
        chown "$PG_RUN_USER" "$dir"
        if ! pg_user_can_write "$dir"; then
            # $TMPDIR is not reachable by that user: fall back to /tmp.
            dir=$(mktemp -d /tmp/stockura-pg.XXXXXX)
            EXTRA_DIRS+=("$dir")
            chmod 755 "$dir"
            chown "$PG_RUN_USER" "$dir"
            pg_user_can_write "$dir" || die "user $PG_RUN_USER cannot write to $dir"
        fi
    fi
    if ! as_pg_user "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C -N \
        >"$dir/initdb.log" 2>&1; then
        tail -n 20 "$dir/initdb.log" >&2
        die "initdb failed"
    fi
    PG_DATA=$dir/data
    {
        echo "listen_addresses = '127.0.0.1'"
        echo "unix_socket_directories = '$dir'"
        echo "fsync = off"
        echo "synchronous_commit = off"
        echo "full_page_writes = off"
    } >>"$PG_DATA/postgresql.conf"
    for _ in 1 2 3 4 5; do
        port=$(free_port)
        if as_pg_user "$PG_CTL" -D "$PG_DATA" -l "$dir/postgres.log" -w -t 60 -o "-p $port" start >/dev/null 2>&1 &&
            pg_answers "$port"; then
            export STOCKURA_TEST_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
            log "postgres: started throwaway server at $STOCKURA_TEST_PG_URL"
            return 0
        fi
        as_pg_user "$PG_CTL" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1 || true
    done
    tail -n 20 "$dir/postgres.log" >&2 || true
    die "could not start a throwaway PostgreSQL server"
}

resolve_postgres() {
    # A Postgres DATABASE_URL given for the tests is used like STOCKURA_TEST_PG_URL.
    if [[ -z ${STOCKURA_TEST_PG_URL:-} && ${DATABASE_URL:-} =~ ^postgres(ql)?(\+[a-z0-9]+)?:// ]]; then
        STOCKURA_TEST_PG_URL="postgres://${DATABASE_URL#*://}"
    fi
    if [[ -n ${STOCKURA_TEST_PG_URL:-} ]]; then
        export STOCKURA_TEST_PG_URL
        log "postgres: using provided STOCKURA_TEST_PG_URL=$(redact_url "$STOCKURA_TEST_PG_URL")"
    elif [[ ${STOCKURA_TEST_FORCE_LOCAL_SERVERS:-0} != 1 ]] && pg_answers 5432; then
        export STOCKURA_TEST_PG_URL="postgres://postgres@127.0.0.1:5432/postgres"
        log "postgres: reusing server at $STOCKURA_TEST_PG_URL"
    else
        start_postgres
    fi
}

# ------------------------------------------------------------------ redis ----
redis_answers() { # port: does it answer PING with PONG?
    local port=$1
    if have redis-cli; then
        [[ $(with_timeout 5 env -u REDISCLI_AUTH redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null) == PONG ]]
    else
        # shellcheck disable=SC2016  # expanded by the inner bash
        with_timeout 5 bash -c '
            exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
            printf "PING\r\n" >&3
            IFS= read -r -t 3 line <&3 || exit 1
            [[ $line == +PONG* ]]' _ "$port" 2>/dev/null
    fi
}

start_redis() {
    local dir port i
    if ! have redis-server; then
        apt_install redis-server
        hash -r
        have redis-server || die "redis-server not found even after installing the Debian package redis-server"
    fi
    tmp_root
    dir=$TMP_ROOT/redis
    mkdir -p "$dir"
    REDIS_DIR=$dir
    for _ in 1 2 3 4 5; do
        port=$(free_port)
        rm -f "$dir/redis.pid"
        REDIS_PORT=$port
        if redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
            --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null 2>&1; then
            for ((i = 0; i < 100; i++)); do
                if redis_answers "$port"; then
                    export STOCKURA_TEST_REDIS_URL="redis://127.0.0.1:$port"
                    log "redis: started throwaway server at $STOCKURA_TEST_REDIS_URL"
                    return 0
                fi
                # Gave up (e.g. port taken between probe and bind)?
                if [[ -s $dir/redis.pid ]] && ! kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null; then break; fi
                sleep 0.1
            done
        fi
        if [[ -s $dir/redis.pid ]]; then kill "$(cat "$dir/redis.pid")" 2>/dev/null || true; fi
    done
    tail -n 20 "$dir/redis.log" >&2 || true
    die "could not start a throwaway redis-server"
}

resolve_redis() {
    if [[ -z ${STOCKURA_TEST_REDIS_URL:-} && -n ${REDIS_URL:-} ]]; then
        STOCKURA_TEST_REDIS_URL=$REDIS_URL
    fi
    if [[ -n ${STOCKURA_TEST_REDIS_URL:-} ]]; then
        export STOCKURA_TEST_REDIS_URL
        log "redis: using provided STOCKURA_TEST_REDIS_URL=$(redact_url "$STOCKURA_TEST_REDIS_URL")"
    elif [[ ${STOCKURA_TEST_FORCE_LOCAL_SERVERS:-0} != 1 ]] && redis_answers 6379; then
        export STOCKURA_TEST_REDIS_URL="redis://127.0.0.1:6379"
        log "redis: reusing server at $STOCKURA_TEST_REDIS_URL"
    else
        start_redis
    fi
}

# --------------------------------------------------------------- rabbitmq ----
# The RabbitMQ tests make a virtual host each with rabbitmqctl and start throwaway nodes of
# their own (rabbitmq-server), so the package is needed even when a server is provided.
resolve_rabbitmq() {
    local i
    if ! have rabbitmq-server || ! have rabbitmqctl; then
        apt_install rabbitmq-server
        have rabbitmqctl || die "rabbitmqctl not found even after installing the Debian package rabbitmq-server"
    fi
    if [[ -n ${STOCKURA_TEST_AMQP_URL:-} ]]; then
        export STOCKURA_TEST_AMQP_URL
        log "rabbitmq: using provided STOCKURA_TEST_AMQP_URL=$(redact_url "$STOCKURA_TEST_AMQP_URL")"
        return 0
    fi
    if ! tcp_open 127.0.0.1 5672; then
        log "rabbitmq: nothing answers on 127.0.0.1:5672; starting the local rabbitmq-server"
        if have service; then service rabbitmq-server start >/dev/null 2>&1 || true; fi
        if ! tcp_open 127.0.0.1 5672; then
            rabbitmq-server -detached >/dev/null 2>&1 || true
        fi
        for ((i = 0; i < 600; i++)); do
            tcp_open 127.0.0.1 5672 && break
            sleep 0.1
        done
        tcp_open 127.0.0.1 5672 || die "could not start rabbitmq-server on 127.0.0.1:5672"
    fi
    export STOCKURA_TEST_AMQP_URL="amqp://guest:guest@127.0.0.1:5672"
    log "rabbitmq: using server at $STOCKURA_TEST_AMQP_URL"
}

# ------------------------------------------------------------------- main ----
resolve_python
resolve_postgres
resolve_redis
resolve_rabbitmq
# Two tests start throwaway redis-servers of their own (an evicting policy, a broker restart).
if ! have redis-server; then
    apt_install redis-server
fi
# The completion and man page tests load the scripts in bash and zsh and render with man -l.
have zsh || apt_install zsh
# The rediss:// test makes a self-signed certificate.
have openssl || apt_install openssl
have man || apt_install man-db
# The status page is tested in a real headless browser.
if [[ -z ${STOCKURA_TEST_CHROMIUM:-} ]] && ! have chromium && ! have chromium-browser; then
    apt_install chromium
fi

runner=${STOCKURA_TEST_RUNNER:-cargo test}
# Run the tests in the background, in their own process group, so that
# INT/TERM reach this script at once and can be forwarded to the whole test
# process tree before the servers are stopped. Keep the original stdin.
{ exec 3<&0; } 2>/dev/null || exec 3</dev/null   # stdin may be closed
(
    trap - INT QUIT TERM
    setsid=()
    if have setsid; then setsid=(setsid); fi
    # shellcheck disable=SC2016  # expanded by the inner bash
    exec "${setsid[@]}" bash -c 'runner=$1; shift; eval "$runner \"\$@\""' _ "$runner" "$@" <&3 3<&-
) &
CHILD_PID=$!
exec 3<&-
set +e
wait "$CHILD_PID"
rc=$?
set -e
CHILD_PID=""
exit "$rc"
