#!/usr/bin/env bash
# Sourced by test.sh (and usable by hand): starts the real services the tests run against, each
# throw-away in a temp dir and stopped by stop_services, never a mock.
#   start_postgres  a PostgreSQL 15 cluster on loopback; exports ATELIER_TEST_POSTGRES (an admin
#                   URL: each test makes its own database there) and ATELIER_TEST_PG_BIN/DATA
#                   (the readiness test stops and starts the server).
# Installs Debian's postgresql when its binaries are missing.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
SERVICES_DIR=""

# Runs a command as the user postgres runs as: postgres refuses root.
as_pg_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_postgres() {
  if [ ! -x "$PG_BIN/initdb" ]; then
    say "installing Debian's postgresql"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql
  fi
  if [ -z "$SERVICES_DIR" ]; then
    SERVICES_DIR=$(mktemp -d /tmp/atelier-services.XXXXXX)
    chmod 755 "$SERVICES_DIR"
  fi
  local dir="$SERVICES_DIR/pg" port
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  port=$(free_port)
  as_pg_user "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
    --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; return 1; }
  cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 400
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  as_pg_user "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null
  export ATELIER_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres"
  export ATELIER_TEST_PG_BIN="$PG_BIN" ATELIER_TEST_PG_DATA="$dir/data"
  say "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}

stop_services() {
  [ -n "$SERVICES_DIR" ] || return 0
  if [ -d "$SERVICES_DIR/pg/data" ]; then
    as_pg_user "$PG_BIN/pg_ctl" -D "$SERVICES_DIR/pg/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$SERVICES_DIR"
  SERVICES_DIR=""
}
