#!/usr/bin/env bats
# lockrun against the lockers of real mail software, in both directions:
# each must keep the other out. The peers come from Debian's packages
# (util-linux, liblockfile-bin, procmail, postfix); a missing one fails.

load ../lib/common

setup() {
  common_setup
  for tool in flock dotlockfile lockfile postlock; do
    command -v "$tool" >/dev/null || PATH=$PATH:/usr/sbin
    command -v "$tool" >/dev/null || fail "$tool is not installed (run scripts/deps)"
  done
  echo "From a@example.org Mon Nov 23 10:00:00 2026" > box
  # postlock with a private config: few, short retries instead of 20 s.
  mkdir postfix
  printf '%s\n' 'deliver_lock_attempts = 2' 'deliver_lock_delay = 1s' \
    'mailbox_delivery_lock = fcntl, dotlock' > postfix/main.cf
}
teardown() { common_teardown; }

# The command a locker runs while the test looks: it says it holds the lock,
# then ends when told to (touch release), or when the test's directory goes.
HOLD='touch held; while [ -e held ] && [ ! -e release ]; do sleep 0.05; done'

# holds LOCKER ARGS...: LOCKER ARGS... "$HOLD" runs in the background, holding.
holds() {
  rm -f held release
  bg "$@" sh -c "$HOLD"
  wait_for_file held
}

# release: the holder's command ends, and the holder with it.
release() {
  touch release
  wait_status "$BG_PID"
}

lockrun_holds() { holds lockrun "$@" --; }

@test "flock(1) and lockrun exclude each other on a lock file" {
  holds flock cron.lock
  run lockrun -n cron.lock true
  assert_equal "$status" 75
  assert_output --partial "(flock)"
  release

  lockrun_holds cron.lock
  run flock -n cron.lock true
  assert_equal "$status" 1
  run flock -n -E 7 cron.lock true
  assert_equal "$status" 7
}

@test "dotlockfile(1) and lockrun exclude each other on a dotlock" {
  run dotlockfile -l -r 0 cron.lock
  assert_success
  run lockrun -n -k dotlock cron.lock true
  assert_equal "$status" 75
  run dotlockfile -u cron.lock
  assert_success

  lockrun_holds -k dotlock cron.lock
  run dotlockfile -l -r 0 cron.lock
  assert_failure
  release
  assert_file_not_exists cron.lock
  run dotlockfile -l -r 0 cron.lock
  assert_success
}

@test "procmail's lockfile(1) and lockrun --mailbox exclude each other" {
  run lockfile -r0 box.lock
  assert_success
  run lockrun -n --mailbox box true
  assert_equal "$status" 75
  assert_output --partial "box (fcntl + dotlock) is locked"
  rm -f box.lock

  lockrun_holds --mailbox box
  run lockfile -r0 box.lock
  assert_equal "$status" 73
  assert_output --partial 'giving up on "box.lock"'
}

@test "lockrun --mailbox keeps postlock(1) out: its fcntl lock and its dotlock" {
  lockrun_holds --mailbox box
  run postlock -c postfix -l fcntl box true
  assert_equal "$status" 75
  assert_output --partial "unable to lock for exclusive access"
  run postlock -c postfix -l dotlock box true
  assert_equal "$status" 75
  assert_output --partial "unable to create lock file box.lock"
  run postlock -c postfix box true
  assert_equal "$status" 75
}

@test "postlock(1) keeps lockrun --mailbox out, and each of its two locks does" {
  for style in "fcntl, dotlock" fcntl dotlock; do
    holds postlock -c postfix -l "$style" box
    run lockrun -n --mailbox box true
    assert_equal "$status" 75
    if [ "$style" != dotlock ]; then
      assert_output --partial "(pid $BG_PID (postlock))"
    fi
    release
    assert_equal "$status" 0
    assert_file_not_exists box.lock
  done
  run lockrun -n --mailbox box echo free again
  assert_success
  assert_output "free again"
}

@test "lockrun -k fcntl and postlock -l fcntl exclude each other on a plain file" {
  lockrun_holds -k fcntl box
  run postlock -c postfix -l fcntl box true
  assert_equal "$status" 75
}
