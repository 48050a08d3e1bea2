#!/usr/bin/env bash
# A PostgreSQL primary and its streaming replica for the read-replica tests, each a temporary
# cluster under DIR run with the PostgreSQL binaries directly (no pg_createcluster, nothing in
# /etc/postgresql). The machine's own cluster is not used as the primary because its pg_hba.conf
# admits no replication connections, and it isn't ours to change.
#
#   pg_replica.sh start DIR PRIMARY_PORT REPLICA_PORT   # initdb, start, pg_basebackup -R, start
#   pg_replica.sh stop DIR                              # stop both (fast) and remove DIR
#
# Both listen on 127.0.0.1 only, trust local connections (user postgres) and keep nothing
# after stop. As root, the servers run as the postgres user (PostgreSQL refuses root).
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bindir/initdb" ] || { echo "no PostgreSQL server binaries under /usr/lib/postgresql" >&2; exit 2; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

cmd=${1:?usage: pg_replica.sh start DIR PRIMARY_PORT REPLICA_PORT | stop DIR}
dir=${2:?DIR}

case "$cmd" in
start)
  primary_port=${3:?PRIMARY_PORT}
  replica_port=${4:?REPLICA_PORT}
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  chmod 700 "$dir"
  as_pg "$bindir/initdb" -D "$dir/primary" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
  cat >>"$dir/primary/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $primary_port
unix_socket_directories = '$dir'
wal_level = replica
max_wal_senders = 4
fsync = off
CONF
  echo "host replication postgres 127.0.0.1/32 trust" >>"$dir/primary/pg_hba.conf"
  as_pg "$bindir/pg_ctl" -D "$dir/primary" -l "$dir/primary.log" -w start >/dev/null
  # -R writes standby.signal and primary_conninfo: the copy starts as a streaming replica.
  as_pg "$bindir/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U postgres \
    -D "$dir/replica" -R -X stream -c fast
  cat >>"$dir/replica/postgresql.conf" <<CONF
port = $replica_port
hot_standby = on
CONF
  as_pg "$bindir/pg_ctl" -D "$dir/replica" -l "$dir/replica.log" -w start >/dev/null
  echo "primary 127.0.0.1:$primary_port, replica 127.0.0.1:$replica_port"
  ;;
stop)
  for node in replica primary; do
    if [ -f "$dir/$node/postmaster.pid" ]; then
      as_pg "$bindir/pg_ctl" -D "$dir/$node" -m immediate -w stop >/dev/null || true
    fi
  done
  rm -rf "$dir"
  ;;
*)
  echo "unknown command $cmd" >&2
  exit 2
  ;;
esac
