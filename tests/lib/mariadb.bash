# A private MariaDB server for tests: a data directory made by
# mariadb-install-db under DIR, mariadbd on a socket there (no TCP), stopped
# by its pid. Runs as root (the test scripts do); no option file of the
# machine is read (--no-defaults).
#
#   mariadb_start DIR       MDB_DIR, MDB_SOCK, MDB_PID set; ready when it returns
#   mariadb_sql [ARGS...]   the mariadb client on that socket, as root
#   mariadb_load_wagora DB  create DB with share/forumgate/wagora.sql
#   mariadb_defaults FILE DB  a client option file for forumpost (0600)
#   mariadb_forum_user FILE DB  the forumgate account of examples/mariadb
#                           (grants.sql) and its option file, 0640 root:nogroup,
#                           as an MTA running forumpost as nobody needs
#   mariadb_stop

mariadb_start() {
  MDB_DIR=$1/mariadb
  MDB_SOCK=$MDB_DIR/sock
  # A tmpdir of its own: servers of suites running side by side (ctest -j)
  # must not share /tmp's temporary tables (a bootstrap failed on that).
  mkdir -p "$MDB_DIR/tmp"
  if [ ! -d "$MDB_DIR/data/mysql" ]; then
    mariadb-install-db --no-defaults --datadir="$MDB_DIR/data" --tmpdir="$MDB_DIR/tmp" --user=root \
      --auth-root-authentication-method=normal > "$MDB_DIR/install.log" 2>&1 ||
      { cat "$MDB_DIR/install.log" >&2; return 1; }
  fi
  mariadbd --no-defaults --datadir="$MDB_DIR/data" --tmpdir="$MDB_DIR/tmp" --socket="$MDB_SOCK" --skip-networking \
    --user=root --pid-file="$MDB_DIR/pid" --log-error="$MDB_DIR/error.log" \
    --innodb-buffer-pool-size=64M 3>&- &
  MDB_PID=$!
  local i
  for ((i = 0; i < 1200; i++)); do
    mariadb-admin --no-defaults -S "$MDB_SOCK" -u root ping >/dev/null 2>&1 && return 0
    kill -0 "$MDB_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "mariadbd did not start:" >&2
  tail -20 "$MDB_DIR/error.log" >&2
  return 1
}

mariadb_sql() {
  mariadb --no-defaults -S "$MDB_SOCK" -u root "$@"
}

mariadb_load_wagora() {
  mariadb_sql -e "CREATE DATABASE $1"
  mariadb_sql "$1" < "$FORUMGATE_SOURCE/share/forumgate/wagora.sql"
}

mariadb_defaults() {
  umask 077
  printf '[client]\nsocket=%s\nuser=root\ndatabase=%s\n' "$MDB_SOCK" "$2" > "$1"
  umask 022
}

mariadb_forum_user() {
  local password
  password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
  # One account per server: the last database set up is the one it may use.
  mariadb_sql -e "DROP USER IF EXISTS 'forumgate'@'localhost'" || return 1
  sed "s/'change-me'/'$password'/" "$FORUMGATE_SOURCE/examples/mariadb/grants.sql" | mariadb_sql "$2" || return 1
  sed -e "s|^socket = .*|socket = $MDB_SOCK|" -e "s|^password = .*|password = $password|" \
    -e "s|^database = .*|database = $2|" "$FORUMGATE_SOURCE/examples/mariadb/forumgate.my.cnf" > "$1"
  chown root:nogroup "$1"
  chmod 0640 "$1"
}

mariadb_stop() {
  # A server restarted by a test is not the one setup_file knows: its pid
  # file names it.
  [ -s "${MDB_DIR:-}/pid" ] && MDB_PID=$(cat "$MDB_DIR/pid")
  [ -n "${MDB_PID:-}" ] || return 0
  stop_pid "$MDB_PID"
  wait "$MDB_PID" 2>/dev/null || true
  MDB_PID=
}
