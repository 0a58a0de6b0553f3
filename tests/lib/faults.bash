# Faults a program must survive, for the bats suites: a standard error
# nobody reads, a process that must end once told to.

# dead_stderr CMD...: CMD with its standard error a pipe whose reader is
# gone, as in "CMD 2>&1 | true" once true has exited: a write there fails
# with EPIPE and raises SIGPIPE, at its default action (death) as a shell
# would leave it.
dead_stderr() {
  python3 -c '
import os, signal, sys
r, w = os.pipe()
os.close(r)
os.dup2(w, 2)
os.close(w)
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' "$@"
}

# ends_within SECS PID: wait for a background job to end by itself, its
# status in $status; one still running after SECS is killed and fails.
ends_within() {
  local i
  for ((i = 0; i < $1 * 10; i++)); do
    if ! kill -0 "$2" 2>/dev/null; then
      wait_status "$2"
      return 0
    fi
    sleep 0.1
  done
  kill -9 "$2" 2>/dev/null
  wait "$2" 2>/dev/null
  echo "pid $2 still ran $1 s after it was told to stop" >&2
  return 1
}
