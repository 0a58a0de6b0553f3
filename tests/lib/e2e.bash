# Shared by the end-to-end suites (tests/integration/e2e_*.bats): a private
# MariaDB for the file, reachable by nobody (the user an MTA runs forumpost
# as), a W-Agora database per test with the forumgate account of
# examples/mariadb, and the shipped examples installed with their paths
# pointing into the test's directory.

load ../lib/mariadb

# In setup_file: the server in a directory nobody may traverse (bats's own
# temp dirs are 0700).
e2e_setup_file() {
  E2E_DB_DIR=$(mktemp -d /tmp/forumgate-e2e-db.XXXXXX)
  chmod 755 "$E2E_DB_DIR"
  mariadb_start "$E2E_DB_DIR"
  export E2E_DB_DIR MDB_DIR MDB_SOCK MDB_PID
}

e2e_teardown_file() {
  mariadb_stop
  rm -rf "$E2E_DB_DIR"
}

# In setup: database $DB, the option file $T/forumgate.my.cnf (0640
# root:nogroup) and the config $T/forumgate.conf, both from examples/.
e2e_setup_forum() {
  mariadb-admin --no-defaults -S "$MDB_SOCK" -u root ping >/dev/null 2>&1 || mariadb_start "$E2E_DB_DIR"
  DB=t$BATS_TEST_NUMBER
  mariadb_load_wagora "$DB"
  mariadb_forum_user "$T/forumgate.my.cnf" "$DB"
  sed "s|/etc/forumgate/forumgate.my.cnf|$T/forumgate.my.cnf|" \
    "$FORUMGATE_SOURCE/examples/forumgate.conf" > "$T/forumgate.conf"
  # The mail forumpost sends (notices, confirmations) never leaves through
  # the machine's own sendmail, and the suites post many messages from one
  # sender.
  forumpost_config sendmail '"cat > /dev/null"'
  forumpost_config sender-limit 0
}

# forumpost_config KEY VALUE: "KEY = VALUE" in the [forumpost] section of
# $T/forumgate.conf, in place of the KEY there (a key given twice is an
# error).
forumpost_config() {
  sed -i -e "/^\[forumpost\]/,/^\[/{/^$1 = /d}" "$T/forumgate.conf"
  sed -i -e "/^\[forumpost\]/a $1 = $2" "$T/forumgate.conf"
}

# example FILE: a file of examples/ with its paths made the test's.
example() {
  sed -e "s|/usr/local/bin/|$FORUMGATE_BIN/|g" -e "s|/etc/forumgate.conf|$T/forumgate.conf|g" \
    -e "s|/etc/postfix/transport|$T/transport|g" -e "s|/var/spool/forumgate/|$T/queue/|g" \
    -e "s|/var/mail/forum|$T/spool/forum|g" -e "s|/run/lock/forumgate.lock|$T/lock/forumgate.lock|g" \
    -e "s|/run/lock/forumnotify.lock|$T/lock/forumnotify.lock|g" -e "s|/etc/forumgate/netrc|$T/netrc|g" \
    "$FORUMGATE_SOURCE/examples/$1"
}

sql() { mariadb_sql -N -B "$DB" -e "$1"; }

# wait_log REGEX [TENTHS]: until the Postfix log has a line matching REGEX.
wait_log() {
  local i
  for ((i = 0; i < ${2:-1200}; i++)); do
    grep -Eq "$1" "$PF_LOG" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "no log line matches $1:" >&2
  tail -5 "$PF_LOG" >&2
  return 1
}

# message ID SUBJECT [HEADER...] < BODY: a message from Amélie on stdout.
message() {
  local id=$1 subject=$2
  shift 2
  printf 'From: Amelie Durand <amelie@example.org>\nTo: linux@forum.example.org\nSubject: %s\n' "$subject"
  printf 'Date: Mon, 23 Nov 2026 12:00:00 +0000\nMessage-ID: <%s>\n' "$id"
  local h
  for h in "$@"; do printf '%s\n' "$h"; done
  printf '\n'
  cat
}
