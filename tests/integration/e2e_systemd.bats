#!/usr/bin/env bats
# examples/systemd: forumgate.service (started by forumgate.path on new
# mail, and by forumgate.timer to retry), checked by systemd-analyze verify
# (no systemd runs here), and its ExecCondition and ExecStart run as the
# service would run them, as its User, against the private MariaDB.

load ../lib/common
load ../lib/e2e

setup_file() { e2e_setup_file; }
teardown_file() { e2e_teardown_file; }

setup() {
  common_setup
  [ "$(id -u)" -eq 0 ] || skip "runs the service's commands as nobody"
  command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed"
  e2e_setup_forum
  mkdir spool lock && chmod 1777 spool lock
  # The queue is made a Maildir when installing, as forumgate(7) says.
  mkdir -p queue/new queue/cur queue/tmp && chown -R nobody:nogroup queue && chmod -R 700 queue
  local u
  for u in forumgate.service forumgate.path forumgate.timer; do
    example "systemd/$u" | sed "s|^User=forum$|User=nobody|" > "$u"
  done
  # verify runs man for Documentation=man:forumgate(7).
  mkdir -p man/man7 && cp "$FORUMGATE_SOURCE/man/forumgate.7" man/man7/
}
teardown() { common_teardown; }

# unit_command KEY: the command line of KEY= in forumgate.service.
unit_command() { sed -n "s/^$1=//p" forumgate.service; }

@test "the units pass systemd-analyze verify, and a wrong path does not" {
  run env MANPATH="$T/man" systemd-analyze verify "$T/forumgate.service" "$T/forumgate.path" "$T/forumgate.timer"
  assert_success
  sed -i 's|^ExecStart=/|ExecStart=/nonexistent/|' forumgate.service
  run env MANPATH="$T/man" systemd-analyze verify "$T/forumgate.service"
  assert_failure
  assert_output --partial "is not executable"
}

@test "ExecCondition skips a run without mail; ExecStart posts the mbox" {
  local condition start
  condition=$(unit_command ExecCondition)
  start=$(unit_command ExecStart)
  run as_nobody env PATH="$FORUMGATE_BIN:/usr/bin:/bin" sh -c "$condition"
  assert_equal "$status" 1   # no mbox yet, an empty queue: no mail, the run is skipped
  {
    echo "From amelie@example.org Mon Nov 23 12:00:00 2026"
    message '1@example.org' 'first' <<< 'one'
    echo
    echo "From amelie@example.org Mon Nov 23 12:01:00 2026"
    message '2@example.org' 'Re: first' 'In-Reply-To: <1@example.org>' <<< 'two'
    echo
  } > spool/forum
  chown nobody:nogroup spool/forum
  run as_nobody env PATH="$FORUMGATE_BIN:/usr/bin:/bin" sh -c "$condition"
  assert_success
  run as_nobody env PATH="$FORUMGATE_BIN:/usr/bin:/bin" sh -c "$start"
  assert_success
  assert_equal "$(sql 'SELECT cle, parent, thread FROM agora_linux ORDER BY cle' | tr '\t\n' ',;')" "1,0,1;2,1,1;"
  run as_nobody env PATH="$FORUMGATE_BIN:/usr/bin:/bin" sh -c "$condition"
  assert_equal "$status" 1
}
