#!/usr/bin/env bash
# A throwaway PostgreSQL server, for the run store's tests (tests/conftest.py calls it).
#
#   scripts/postgres.sh start        start one; prints its folder, then the URL of its database footprint_test
#   scripts/postgres.sh stop FOLDER  stop it and remove its folder
#
# It uses Debian's server binaries (/usr/lib/postgresql/VERSION/bin, off the PATH), installing the
# `postgresql` package with apt-get where they are missing. The cluster lives in a temporary folder,
# listens on a free port of 127.0.0.1 only (its socket in that folder, trusting local connections) and
# skips fsync: nothing in it outlives the tests. PostgreSQL refuses to run as root, so as root the
# server runs as the `postgres` user.
set -euo pipefail

server_bin() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$bin" ] && [ -x "$bin/initdb" ] && [ -x "$bin/pg_ctl" ]; then
    echo "$bin"
  fi
}

as_owner() {  # run a command as the server's owner: the postgres user when we are root, else ourselves
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

install_server() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "PostgreSQL's server is not installed (no /usr/lib/postgresql/*/bin/initdb); install it with" \
         "'sudo apt-get install postgresql'" >&2
    exit 1
  fi
  exec 9>/tmp/footprint-apt.lock  # the tests' workers start their servers at once: one installs, the others wait
  flock 9
  [ -n "$(server_bin)" ] && return  # installed while this one waited
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q postgresql >&2 || { apt-get update -q >&2 && apt-get install -y -q postgresql >&2; }
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  local bin folder port
  bin=$(server_bin)
  if [ -z "$bin" ]; then
    install_server
    bin=$(server_bin)
    [ -n "$bin" ] || { echo "apt-get installed postgresql but no /usr/lib/postgresql/*/bin/initdb" >&2; exit 1; }
  fi
  if [ "$(id -u)" -eq 0 ]; then
    folder=$(mktemp -d /tmp/footprint-postgres.XXXXXX)  # not $TMPDIR: the postgres user must reach it
    chown postgres: "$folder"
  else
    folder=$(mktemp -d -t footprint-postgres.XXXXXX)
  fi
  trap 'as_owner "$bin/pg_ctl" -D "$folder/data" stop -m immediate >/dev/null 2>&1 || true; rm -rf "$folder"' ERR
  if ! as_owner "$bin/initdb" -D "$folder/data" -U postgres -A trust -E UTF8 --no-sync >"$folder/initdb.log" 2>&1
  then
    cat "$folder/initdb.log" >&2
    false
  fi
  for attempt in 1 2 3; do  # another program may take the free port before the server does
    port=$(free_port)
    if as_owner "$bin/pg_ctl" -D "$folder/data" -l "$folder/data/server.log" -w -t 60 -s \
         -o "-p $port -k '$folder' -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" start >&2
    then
      break
    fi
    if [ "$attempt" -eq 3 ]; then
      tail -n 20 "$folder/data/server.log" >&2
      false
    fi
  done
  "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres footprint_test >&2
  echo "$folder"
  echo "postgresql+psycopg://postgres@127.0.0.1:$port/footprint_test"
}

stop() {
  local bin folder=$1
  bin=$(server_bin)
  [ -f "$folder/data/PG_VERSION" ] || { echo "$folder is not a server started by $0" >&2; exit 1; }
  as_owner "$bin/pg_ctl" -D "$folder/data" stop -m fast -w -s >&2 || true
  rm -rf "$folder"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:?usage: $0 stop FOLDER}" ;;
  *) echo "usage: $0 start | stop FOLDER" >&2; exit 2 ;;
esac
