# A three-node MariaDB Galera cluster for tests, on loopback: three
# mariadbd, each with an option file of its own (the state-transfer script
# reads it), its own data directory and ports (client, group communication,
# IST, SST), the first bootstrapped with --wsrep-new-cluster and the others
# joining by state transfer (mariabackup, socat). Stopped by process id.
# Needs galera-4, mariadb-backup and socat.
#
#   galera_start DIR        GALERA_DIR set (export it for the tests: the rest is
#                           read from the files there); returns when the three
#                           are synced
#   galera_port N           node N's client port on 127.0.0.1
#   galera_pid N            node N's pid
#   galera_sql N [ARGS...]  the mariadb client on node N, as root
#   galera_kill N           kill -9 node N
#   galera_join N           start node N (again); returns when it is synced
#   galera_synced N         true when node N is synced in a cluster of three
#   galera_stop

GALERA_PROVIDER=/usr/lib/galera/libgalera_smm.so

galera_available() {
  [ -e "$GALERA_PROVIDER" ] && command -v mariabackup > /dev/null && command -v socat > /dev/null
}

galera_start() {
  GALERA_DIR=$1/galera
  local n gcomm="" port=() group=() ist=() sst=()
  for n in 1 2 3; do
    port[n]=$(free_port) && group[n]=$(free_port) && ist[n]=$(free_port) && sst[n]=$(free_port) ||
      { echo "no free port" >&2; return 1; }
    gcomm+="${gcomm:+,}127.0.0.1:${group[n]}"
  done
  for n in 1 2 3; do
    mkdir -p "$GALERA_DIR/n$n/tmp" "$GALERA_DIR/n$n/data"
    cat > "$GALERA_DIR/n$n.cnf" << CNF
[mysqld]
datadir=$GALERA_DIR/n$n/data
tmpdir=$GALERA_DIR/n$n/tmp
socket=$GALERA_DIR/n$n/sock
pid-file=$GALERA_DIR/n$n/pid
log-error=$GALERA_DIR/n$n/error.log
port=${port[n]}
bind-address=127.0.0.1
user=root
innodb_buffer_pool_size=64M
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
wsrep_on=ON
wsrep_provider=$GALERA_PROVIDER
wsrep_cluster_name=forumgate-test
wsrep_cluster_address=gcomm://$gcomm
wsrep_node_name=n$n
wsrep_node_address=127.0.0.1:${group[n]}
wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.1:${group[n]};ist.recv_addr=127.0.0.1:${ist[n]};gcache.size=128M"
wsrep_sst_receive_address=127.0.0.1:${sst[n]}
wsrep_sst_method=mariabackup
wsrep_sst_auth=root:
CNF
  done
  mariadb-install-db --defaults-file="$GALERA_DIR/n1.cnf" --user=root --auth-root-authentication-method=normal \
    > "$GALERA_DIR/install.log" 2>&1 || { cat "$GALERA_DIR/install.log" >&2; return 1; }
  galera_run 1 --wsrep-new-cluster || return 1
  galera_wait 1 1 || return 1
  galera_join 2 2 && galera_join 3 3
}

# galera_join N [SIZE]: start node N and wait until it is synced in a
# cluster of SIZE (3): by incremental state transfer when its data allow,
# else by a full one. A transfer that fails (the donor busy on a loaded
# machine, a port another suite took meanwhile) leaves the node down: it
# is tried again from an empty data directory with other transfer ports,
# up to three times in all.
galera_join() {
  local try
  for ((try = 1; try <= 3; try++)); do
    galera_run "$1" && galera_wait "$1" "${2:-3}" 2> "$GALERA_DIR/n$1/join.$try.log" && return 0
    echo "node $1: state transfer $try failed; again" >&2
    stop_pid "$(galera_pid "$1")"
    rm -rf "$GALERA_DIR/n$1/data" && mkdir -p "$GALERA_DIR/n$1/data"
    # Its transfer ports anew (the cluster's list names only the others').
    local ist sst
    ist=$(free_port) && sst=$(free_port) || return 1
    sed -i -e "s/ist\.recv_addr=127\.0\.0\.1:[0-9]*/ist.recv_addr=127.0.0.1:$ist/" \
      -e "s/^wsrep_sst_receive_address=.*/wsrep_sst_receive_address=127.0.0.1:$sst/" "$GALERA_DIR/n$1.cnf"
  done
  cat "$GALERA_DIR/n$1/join.3.log" >&2
  return 1
}

galera_run() {  # N [ARGS...]
  local n=$1
  shift
  rm -f "$GALERA_DIR/n$n/pid"
  mariadbd --defaults-file="$GALERA_DIR/n$n.cnf" "$@" 3>&- > /dev/null 2>&1 &
  echo $! > "$GALERA_DIR/n$n/started"
}

galera_pid() { cat "$GALERA_DIR/n$1/started"; }
galera_port() { sed -n 's/^port=//p' "$GALERA_DIR/n$1.cnf"; }

# galera_wait N SIZE: node N synced in a cluster of SIZE; a state transfer
# may take long on a loaded machine, hence the deadline of ten minutes.
galera_wait() {
  local i
  for ((i = 0; i < 6000; i++)); do
    [ "$(galera_status "$1" wsrep_local_state_comment)" = Synced ] &&
      [ "$(galera_status "$1" wsrep_cluster_size)" -ge "$2" ] 2> /dev/null && return 0
    kill -0 "$(galera_pid "$1")" 2> /dev/null || break
    sleep 0.1
  done
  echo "node $1 did not join:" >&2
  tail -30 "$GALERA_DIR/n$1/error.log" >&2
  return 1
}

galera_status() {  # N VARIABLE
  galera_sql "$1" -N -B -e "SHOW STATUS LIKE '$2'" 2> /dev/null | cut -f2
}

galera_synced() { galera_wait "$1" 3; }

galera_sql() {
  local n=$1
  shift
  mariadb --no-defaults -S "$GALERA_DIR/n$n/sock" -u root "$@"
}

galera_kill() {
  local pid
  pid=$(galera_pid "$1")
  kill -9 "$pid" 2> /dev/null
  wait "$pid" 2> /dev/null || true
}


galera_stop() {
  local n pid
  for n in 3 2 1; do
    pid=$(galera_pid "$n" 2> /dev/null) || continue
    stop_pid "$pid"
    wait "$pid" 2> /dev/null || true
  done
}
