# shellcheck shell=bash
# Sourced by scripts/test: make sure Redis and PostgreSQL answer for the tests that need them.
#
# A server already answering (or a URL already given in AIRCALL_TEST_REDIS_URL /
# AIRCALL_TEST_POSTGRES_DSN) is used as it is. Otherwise, when the server's binaries are
# installed, a throwaway one is started on a free loopback port (no persistence, in a temporary
# directory) and stopped by stop_test_services. When neither works, the variable stays unset:
# the tests that need the server skip with the reason, or fail when CI=true.

_services_tmp=""
_redis_pid=""
_pg_data=""
_pg_bin=""
_pg_runner=()

_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

_redis_answers() {  # host port: a raw PING, no client needed
    python3 - "$1" "$2" <<'PY'
import socket, sys
try:
    with socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2) as sock:
        sock.sendall(b"PING\r\n")
        sys.exit(0 if sock.recv(64).startswith(b"+PONG") else 1)
except OSError:
    sys.exit(1)
PY
}

_postgres_answers() {  # dsn
    command -v psql >/dev/null && psql "$1" -tAc 'select 1' >/dev/null 2>&1
}

ensure_redis() {
    if [ -n "${AIRCALL_TEST_REDIS_URL:-}" ]; then return 0; fi
    if _redis_answers 127.0.0.1 6379; then
        export AIRCALL_TEST_REDIS_URL="redis://127.0.0.1:6379/0"
        return 0
    fi
    if ! command -v redis-server >/dev/null; then
        echo "services: no Redis on 127.0.0.1:6379 and no redis-server to start" >&2
        return 0
    fi
    local port
    port=$(_free_port)
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
        --dir "$_services_tmp" >"$_services_tmp/redis.log" 2>&1 &
    _redis_pid=$!
    for _ in $(seq 50); do
        if _redis_answers 127.0.0.1 "$port"; then
            export AIRCALL_TEST_REDIS_URL="redis://127.0.0.1:$port/0"
            echo "services: started redis-server on 127.0.0.1:$port (pid $_redis_pid)"
            return 0
        fi
        sleep 0.2
    done
    echo "services: redis-server did not answer on port $port (see $_services_tmp/redis.log)" >&2
}

ensure_postgres() {
    if [ -n "${AIRCALL_TEST_POSTGRES_DSN:-}" ]; then return 0; fi
    local dsn="postgresql://postgres@127.0.0.1:5432/test"
    if _postgres_answers "$dsn"; then
        export AIRCALL_TEST_POSTGRES_DSN="$dsn"
        return 0
    fi
    local bin
    bin=$(dirname "$(readlink -f "$(command -v initdb || echo /nonexistent/x)")")
    if [ ! -x "$bin/initdb" ] || [ ! -x "$bin/pg_ctl" ] || [ ! -x "$bin/createdb" ]; then
        echo "services: no PostgreSQL at $dsn and no initdb/pg_ctl/createdb to start one" >&2
        return 0
    fi
    # PostgreSQL refuses to run as root: run it as the postgres user when we are root.
    if [ "$(id -u)" = 0 ]; then
        if ! id postgres >/dev/null 2>&1; then
            echo "services: running as root and no postgres user to start PostgreSQL" >&2
            return 0
        fi
        _pg_runner=(runuser -u postgres --)
        chmod 755 "$_services_tmp"
    fi
    local port
    port=$(_free_port)
    _pg_bin="$bin"
    _pg_data="$_services_tmp/pg"
    mkdir -p "$_pg_data" && [ "$(id -u)" = 0 ] && chown postgres "$_pg_data"
    if "${_pg_runner[@]}" "$bin/initdb" -D "$_pg_data" -U postgres --auth=trust -E UTF8 \
        >"$_services_tmp/initdb.log" 2>&1 &&
        "${_pg_runner[@]}" "$bin/pg_ctl" -D "$_pg_data" -w -l "$_pg_data/server.log" \
            -o "-p $port -k $_pg_data -c listen_addresses=127.0.0.1 -F" start >/dev/null &&
        "${_pg_runner[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres test; then
        export AIRCALL_TEST_POSTGRES_DSN="postgresql://postgres@127.0.0.1:$port/test"
        echo "services: started PostgreSQL on 127.0.0.1:$port"
    else
        echo "services: could not start PostgreSQL (see $_services_tmp)" >&2
    fi
}

stop_test_services() {
    if [ -n "$_redis_pid" ]; then
        kill "$_redis_pid" 2>/dev/null && wait "$_redis_pid" 2>/dev/null
        _redis_pid=""
    fi
    if [ -n "$_pg_data" ] && [ -f "$_pg_data/postmaster.pid" ]; then
        "${_pg_runner[@]}" "$_pg_bin/pg_ctl" -D "$_pg_data" -m fast stop >/dev/null 2>&1
        _pg_data=""
    fi
    if [ -n "$_services_tmp" ]; then
        rm -rf "$_services_tmp"
        _services_tmp=""
    fi
    return 0
}

start_test_services() {
    _services_tmp=$(mktemp -d "${TMPDIR:-/tmp}/aircall-services.XXXXXX")
    ensure_redis
    ensure_postgres
    echo "services: redis=${AIRCALL_TEST_REDIS_URL:-none} postgres=${AIRCALL_TEST_POSTGRES_DSN:-none}"
}
