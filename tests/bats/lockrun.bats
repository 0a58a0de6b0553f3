#!/usr/bin/env bats
# lockrun(1): run a command under a lock.

load ../lib/common
load ../lib/faults

setup() { common_setup; }
teardown() { common_teardown; }

# hold ARGS...: lockrun ARGS... -- a command that signals "held" and sleeps.
hold() {
  bg lockrun "$@" -- sh -c 'touch held; sleep 30'
  wait_for_file held
}

@test "a signal ignored on entry stays ignored for the command" {
  # The command goes on only once the signal has been sent.
  bg env --ignore-signal=TERM lockrun cron.lock -- \
    sh -c 'touch held; while [ ! -e go ]; do sleep 0.05; done; echo survived > out'
  wait_for_file held
  kill -TERM "$BG_PID"
  touch go
  wait_status "$BG_PID"
  assert_equal "$status" 0
  assert_file_contains out survived
}

@test "the command starts with the signal state we were given, not ours" {
  # lockrun catches SIGINT, SIGTERM and SIGHUP and holds them while the
  # command runs; the command sees nothing of it, not even what glibc's
  # posix_spawn would leave ignored (its signals 32 and 33).
  expected=$(grep -E '^Sig(Blk|Ign):' /proc/self/status)
  run lockrun cron.lock -- cat /proc/self/status
  assert_success
  assert_equal "$(grep -E '^Sig(Blk|Ign):' <<< "$output")" "$expected"
}

@test "runs the command and passes its exit status through" {
  run lockrun cron.lock -- sh -c 'echo ran; exit 42'
  assert_equal "$status" 42
  assert_output "ran"
  run lockrun cron.lock true
  assert_success
  assert_file_exists cron.lock
}

@test "the command's own options are not lockrun's" {
  run lockrun cron.lock ls -l -v -d /
  assert_success
  assert_output --partial "/"
  run lockrun cron.lock -- sh -c 'echo "$1"' sh --help
  assert_output "--help"
}

@test "dies of signal N: exit 128+N" {
  run lockrun cron.lock -- sh -c 'kill -KILL $$'
  assert_equal "$status" 137
  run lockrun cron.lock -- sh -c 'kill -TERM $$'
  assert_equal "$status" 143
}

@test "command not found is 127, not executable is 126" {
  run -127 lockrun cron.lock no-such-command-here
  assert_equal "$status" 127
  assert_output --partial "cannot run no-such-command-here"
  touch not-exec
  run lockrun cron.lock ./not-exec
  assert_equal "$status" 126
}

@test "bad usage is 64 with a message" {
  run lockrun cron.lock
  assert_equal "$status" 64
  assert_output --partial "lockrun: no COMMAND given"
  run lockrun
  assert_equal "$status" 64
  assert_output --partial "no LOCK given"
  run lockrun --no-such-option cron.lock true
  assert_equal "$status" 64
  run lockrun -n -w 3 cron.lock true
  assert_equal "$status" 64
  run lockrun -k lockf cron.lock true
  assert_equal "$status" 64
  run lockrun -k dotlock --mailbox box true
  assert_equal "$status" 64
  run lockrun -E 300 cron.lock true
  assert_equal "$status" 64
}

@test "lock directory missing is 73, naming the path" {
  run lockrun "$T/no/such/dir/cron.lock" true
  assert_equal "$status" 73
  assert_output --partial "$T/no/such/dir/cron.lock"
  run lockrun -k dotlock "$T/no/such/dir/cron.lock" true
  assert_equal "$status" 73
  assert_output --partial "$T/no/such/dir"
}

@test "lock directory not writable is 73" {
  mkdir ro && chmod 555 ro
  run as_nobody lockrun "$T/ro/cron.lock" true
  assert_equal "$status" 73
  assert_output --partial "$T/ro/cron.lock"
  run as_nobody lockrun -k dotlock "$T/ro/cron.lock" true
  assert_equal "$status" 73
  run as_nobody lockrun --mailbox "$T/ro" true
  assert_equal "$status" 66
}

@test "mailbox missing is 66, naming it" {
  run lockrun --mailbox "$T/absent" true
  assert_equal "$status" 66
  assert_output --partial "mailbox $T/absent"
  assert_file_not_exists "$T/absent.lock"
}

@test "-n: a held lock is exit 75 at once, saying who holds it" {
  hold cron.lock
  run lockrun -n cron.lock echo must-not-run
  assert_equal "$status" 75
  refute_output --partial must-not-run
  assert_output --partial "cron.lock (flock) is locked (pid $BG_PID (lockrun))"
}

@test "-E CODE replaces 75; -q keeps it quiet" {
  hold cron.lock
  run lockrun -n -E 0 cron.lock true
  assert_success
  run lockrun -q -n -E 9 cron.lock true
  assert_equal "$status" 9
  assert_output ""
}

@test "-w SECS gives up after SECS, or runs once the lock is free" {
  hold cron.lock
  run lockrun -w 0.2 cron.lock true
  assert_equal "$status" 75
  assert_output --partial "within 0.2 s"
  # Release the lock half a second from now; a waiter then runs.
  (sleep 0.5; kill "$BG_PID") &
  run lockrun -w 20 cron.lock echo ran
  assert_success
  assert_output "ran"
}

@test "each kind excludes a second lockrun of the same kind" {
  for kind in flock fcntl dotlock; do
    rm -f held
    hold -k "$kind" "$kind.lock"
    run lockrun -n -k "$kind" "$kind.lock" true
    assert_equal "$status" 75
    kill "$BG_PID"
  done
}

@test "the lock descriptor is not inherited by the command" {
  run lockrun cron.lock -- sh -c 'ls -l /proc/$$/fd/'
  assert_success
  refute_output --partial cron.lock
}

@test "SIGTERM, SIGINT and SIGHUP are forwarded to the command" {
  for sig in TERM INT HUP; do
    rm -f held out
    # bash starts background jobs with SIGINT ignored, and an ignored signal
    # stays ignored for lockrun and its command: restore the default first.
    bg env --default-signal=INT lockrun cron.lock -- sh -c \
      "trap 'echo got $sig > out; exit 3' $sig; touch held; for i in \$(seq 400); do sleep 0.05; done"
    wait_for_file held
    kill -s "$sig" "$BG_PID"
    wait_status "$BG_PID"
    assert_equal "$status" 3
    assert_file_contains out "got $sig"
  done
}

@test "a signal while waiting for the lock ends lockrun: 128+N, nothing left behind" {
  hold -k dotlock cron.lock
  holder=$BG_PID
  bg lockrun -k dotlock cron.lock -- touch must-not-exist
  # Between two tries of the lock.
  wait_blocked "$BG_PID" nanosleep
  kill -TERM "$BG_PID"
  wait_status "$BG_PID"
  assert_equal "$status" 143
  assert_file_not_exists must-not-exist
  kill "$holder"
  wait_status "$holder"
  assert_file_not_exists cron.lock
  run ls -A
  refute_output --partial ".cron.lock."
}

@test "dotlock: made for the command, removed afterwards, holding our pid" {
  run lockrun -k dotlock cron.lock -- sh -c 'cat cron.lock; ls -A'
  assert_success
  assert_line --index 0 --regexp '^[0-9]+$'
  assert_equal "$(ls -A | grep -c '^\.cron\.lock\.')" 0
  assert_file_not_exists cron.lock
}

@test "dotlock: a lock that is no longer ours is left in place" {
  run lockrun -k dotlock cron.lock -- sh -c 'rm cron.lock; echo 99999 > cron.lock'
  assert_success
  assert_output --partial "taken over by another process"
  assert_file_contains cron.lock 99999
}

@test "dotlock: a stale lock is broken with a message, a fresh one is not" {
  echo 0 > cron.lock
  touch -d '-600 seconds' cron.lock
  run lockrun -n -k dotlock -s 1000 cron.lock true
  assert_equal "$status" 75
  assert_output --partial "lock made 6"
  run lockrun -n -k dotlock cron.lock echo ran
  assert_success
  assert_output --partial "removed stale lock cron.lock"
  assert_output --partial "ran"
  assert_file_not_exists cron.lock
}

@test "dotlock: kept fresh while the command runs longer than the stale age" {
  # --stale 3 refreshes every second; the command makes the lock look old,
  # then waits (up to a minute) for a refresh to make it new again.
  run lockrun -k dotlock -s 3 cron.lock -- sh -c \
    'touch -d "-100 seconds" cron.lock; i=0
     while [ $(( $(date +%s) - $(stat -c %Y cron.lock) )) -ge 3 ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
     echo $(( $(date +%s) - $(stat -c %Y cron.lock) ))'
  assert_success
  [ "$output" -lt 3 ]
}

@test "--mailbox takes fcntl on the mailbox and MAILBOX.lock" {
  echo "From a@b Mon Nov 23 10:00:00 2026" > box
  run lockrun --mailbox box -- sh -c 'test -e box.lock && echo dotlock held'
  assert_success
  assert_output "dotlock held"
  assert_file_not_exists box.lock
  hold --mailbox box
  run lockrun -n -k fcntl box true
  assert_equal "$status" 75
  run lockrun -n -k dotlock box.lock true
  assert_equal "$status" 75
}

@test "options come from the [lockrun] section of --config or FORUMGATE_CONFIG" {
  printf '[mailsplit]\nconflict-exit-code = 5\n[lockrun]\nconflict-exit-code = 9\nnonblock = true\n' > fg.conf
  hold cron.lock
  run lockrun --config fg.conf cron.lock true
  assert_equal "$status" 9
  FORUMGATE_CONFIG=$T/fg.conf run lockrun cron.lock true
  assert_equal "$status" 9
  run lockrun --config fg.conf -E 4 cron.lock true
  assert_equal "$status" 4
  run lockrun --config "$T/absent.conf" cron.lock true
  assert_equal "$status" 78
  assert_output --partial "absent.conf"
}

@test "--help, --version, -v and --syslog" {
  run lockrun --help
  assert_success
  assert_line --index 1 --partial "Usage: lockrun [OPTIONS] LOCK [--] COMMAND"
  run lockrun --version
  assert_success
  assert_output --regexp '^lockrun \(forumgate\) [0-9]+\.[0-9]+\.[0-9]+$'
  run lockrun -v --syslog cron.lock true
  assert_success
  assert_output --partial "lockrun: locked cron.lock (flock)"
}

@test "-v with a standard error nobody reads: the command runs, its status passes, no lock stays" {
  run dead_stderr lockrun -v -k dotlock cron.lock -- sh -c 'echo ran; exit 3'
  assert_equal "$status" 3
  assert_output ran
  assert_file_not_exists cron.lock
  echo "From a@b Mon Nov 23 10:00:00 2026" > box
  run dead_stderr lockrun -v --mailbox box -- sh -c 'test -e box.lock && echo held'
  assert_success
  assert_output held
  assert_file_not_exists box.lock
}

@test "every signal that would end lockrun is forwarded: the command never runs on without the lock" {
  for sig in USR1 USR2 ALRM QUIT PIPE XCPU VTALRM RTMIN; do
    rm -f held out
    # Background jobs start with SIGINT and SIGQUIT ignored: default them.
    bg env --default-signal=INT,QUIT lockrun -k dotlock cron.lock -- bash -c \
      "trap 'echo got $sig > out; exit 3' $sig; touch held; for i in \$(seq 400); do sleep 0.05; done"
    wait_for_file held
    kill -s "$sig" "$BG_PID"
    ends_within 120 "$BG_PID"
    assert_equal "$status" 3
    assert_file_contains out "got $sig"
    assert_file_not_exists cron.lock
  done
}

@test "a signal the command does not catch ends it, then lockrun, lock released: 128+N" {
  bg lockrun -k dotlock cron.lock -- sh -c 'touch held; exec sleep 30'
  wait_for_file held
  kill -USR1 "$BG_PID"
  ends_within 120 "$BG_PID"
  assert_equal "$status" 138
  assert_file_not_exists cron.lock
}

@test "--mailbox: a FIFO, a device or a socket is no mailbox: 66, nothing locked or opened for writing" {
  mkfifo fifo
  run timeout 20 lockrun --mailbox fifo -- touch ran
  assert_equal "$status" 66
  assert_output --partial "mailbox fifo is a FIFO, not a regular file"
  assert_file_not_exists fifo.lock
  assert_file_not_exists ran
  python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind("sock")'
  run lockrun --mailbox sock -- touch ran
  assert_equal "$status" 66
  assert_file_not_exists sock.lock
  run lockrun --mailbox /dev/null -- touch ran
  assert_equal "$status" 66
  assert_output --partial "is a character device"
  assert_file_not_exists ran
}
