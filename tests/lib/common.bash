# Shared set-up for the bats suites: bats-support, bats-assert, bats-file
# from Debian's packages, the built binaries first on PATH, a temp dir per test.

bats_require_minimum_version 1.5.0
export BATS_LIB_PATH=${BATS_LIB_PATH:-/usr/lib/bats}
bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file

FORUMGATE_SOURCE=${FORUMGATE_SOURCE:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
FORUMGATE_BIN=${FORUMGATE_BIN:-$FORUMGATE_SOURCE/build/bin}
PATH=$FORUMGATE_BIN:$PATH

# FORUMGATE_TEST_NICE=N runs every program under test that a suite calls by
# name at nice N, while bats, the build and the servers keep their priority:
# no test may need the program to be prompt. A wrapper per program execs
# nice, which execs the program, so a pid a test holds is the program's own.
# The wrappers sit beside the build's bin/, where every user a test runs
# as may reach them.
if [ -n "${FORUMGATE_TEST_NICE:-}" ] && [[ $FORUMGATE_BIN != /usr/* ]]; then
  _nice_dir=$(dirname "$FORUMGATE_BIN")/nice-$FORUMGATE_TEST_NICE
  for _prog in "$FORUMGATE_BIN"/*; do
    [ -f "$_prog" ] && [ -x "$_prog" ] && [ ! -x "$_nice_dir/${_prog##*/}" ] || continue
    mkdir -p "$_nice_dir"
    chmod 755 "$_nice_dir"
    printf '#!/bin/sh\nexec nice -n %d %s "$@"\n' "$FORUMGATE_TEST_NICE" "$_prog" >"$_nice_dir/${_prog##*/}.$$"
    chmod 755 "$_nice_dir/${_prog##*/}.$$"
    mv -f "$_nice_dir/${_prog##*/}.$$" "$_nice_dir/${_prog##*/}"
  done
  PATH=$_nice_dir:$PATH
  unset _nice_dir _prog
fi
export FORUMGATE_SOURCE FORUMGATE_BIN PATH

# No /etc/forumgate.conf of the machine may change what a test sees, and no
# mail a test makes leaves through the machine's sendmail.
export FORUMGATE_CONFIG=$FORUMGATE_SOURCE/tests/lib/forumgate.conf

common_setup() {
  T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/forumgate.XXXXXX")
  chmod 755 "$T"
  cd "$T" || return 1
}

common_teardown() {
  # Kill what a test left running in the background (by pid, never by name).
  local pid
  for pid in ${BG_PIDS:-}; do kill "$pid" 2>/dev/null; done
  for pid in ${BG_PIDS:-}; do wait "$pid" 2>/dev/null; done
  cd / && rm -rf "$T"
}

# bg CMD...: run CMD in the background, remembered for teardown; sets BG_PID.
bg() {
  "$@" 3>&- &
  BG_PID=$!
  BG_PIDS="${BG_PIDS:-} $BG_PID"
}

# stop_pid PID: a server we started, stopped by its pid: TERM, up to 10 s
# to go, then KILL.
stop_pid() {
  kill "$1" 2>/dev/null || return 0
  local i
  for ((i = 0; i < 100; i++)); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -9 "$1" 2>/dev/null || true
}

# wait_status PID: wait for a background job; its exit status in $status.
wait_status() {
  status=0
  wait "$1" || status=$?
}

# Every wait below polls for its condition and gives up only after a
# deadline far beyond what any machine of this kind needs (two minutes by
# default): a fast machine never waits for it, a slow or loaded one is
# not failed for being slow.

# wait_for_file PATH [TENTHS]: wait until PATH exists (a peer holds its lock).
wait_for_file() {
  local i
  for ((i = 0; i < ${2:-1200}; i++)); do
    [ -e "$1" ] && return 0
    sleep 0.1
  done
  echo "timed out waiting for $1" >&2
  return 1
}

# wait_blocked PID REGEX: until process PID sleeps in the kernel at a
# function matching REGEX (its /proc/PID/wchan): "poll" for a program
# waiting for events, "nanosleep" for one between tries of a lock. A test
# then knows the program has reached its wait, however long it took.
wait_blocked() {
  local i
  for ((i = 0; i < 1200; i++)); do
    grep -Eq "$2" "/proc/$1/wchan" 2>/dev/null && return 0
    kill -0 "$1" 2>/dev/null || { echo "process $1 ended before it waited" >&2; return 1; }
    sleep 0.1
  done
  echo "process $1 never waited at $2 (it is at $(cat "/proc/$1/wchan" 2>/dev/null))" >&2
  return 1
}

# as_nobody CMD...: run CMD as an unprivileged user (root ignores permissions).
as_nobody() {
  if [ "$(id -u)" -eq 0 ]; then
    setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
  else
    "$@"
  fi
}

# free_port: a TCP port nothing uses at 127.0.0.1, below the kernel's
# ephemeral range (where no client's own end of a connection is), checked
# with ss. Another suite may take it before our server binds it: the
# servers' start functions try again with other ports when that happens.
free_port() {
  local port i low
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  for ((i = 0; i < 100; i++)); do
    port=$((10000 + RANDOM % (low - 10000)))
    ss -Htan "sport = :$port" | grep -q . || { echo "$port"; return 0; }
  done
  return 1
}
