#!/usr/bin/env bats
# Recipe 2 of forumgate(7): examples/procmail/procmailrc, run by the real
# procmail as nobody: forum mail is posted; while the database is down it
# goes into the queue Maildir, which forumpost --queue posts later, once;
# other failures fall through to $DEFAULT.

load ../lib/common
load ../lib/e2e

setup_file() { e2e_setup_file; }
teardown_file() { e2e_teardown_file; }

setup() {
  common_setup
  [ "$(id -u)" -eq 0 ] || skip "runs procmail as nobody"
  command -v procmail >/dev/null || fail "procmail is not installed (scripts/deps test)"
  e2e_setup_forum
  example procmail/procmailrc > procmailrc
  mkdir -p queue/new queue/cur queue/tmp
  chown -R nobody:nogroup queue && chmod 700 queue
  install -o nobody -g nogroup -m 600 /dev/null inbox
}
teardown() { common_teardown; }

# deliver TO < MESSAGE: as Postfix's local(8) would, with a Delivered-To.
deliver() {
  { printf 'Delivered-To: %s\n' "$1"; cat; } | as_nobody procmail -m DEFAULT="$T/inbox" "$T/procmailrc"
}

@test "posted while the database is up; queued on 75 while it is down, posted once by forumpost --queue" {
  message '1@example.org' 'first' <<< 'one' | deliver linux@forum.example.org
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_linux')" 1
  assert_equal "$(ls queue/new | wc -l)" 0

  mariadb_stop
  run deliver linux@forum.example.org < <(message '2@example.org' 'Re: first' 'In-Reply-To: <1@example.org>' <<< 'two')
  assert_success
  message '3@example.org' 'third' <<< 'three' | deliver linux@forum.example.org
  assert_equal "$(ls queue/new | wc -l)" 2
  assert_equal "$(stat -c %s inbox)" 0
  run as_nobody forumpost --config "$T/forumgate.conf" --queue queue
  assert_failure 75
  assert_equal "$(ls queue/new | wc -l)" 2

  mariadb_start "$E2E_DB_DIR"
  run as_nobody forumpost --config "$T/forumgate.conf" --queue queue
  assert_success
  assert_output --partial "queue: 2 taken, 2 posted, 0 duplicates"
  run as_nobody forumpost --config "$T/forumgate.conf" --queue queue
  assert_output --partial "queue: 0 taken, 0 posted"
  assert_equal "$(sql 'SELECT cle, parent, thread, subject FROM agora_linux ORDER BY cle' | tr '\t\n' ',;')" \
    "1,0,1,first;2,1,1,Re: first;3,0,3,third;"
  assert_equal "$(stat -c %s inbox)" 0
}

@test "no such forum (67) is neither posted nor queued: it falls through to DEFAULT" {
  message '1@example.org' 'lost?' <<< 'one' | deliver nosuch@forum.example.org
  assert_equal "$(ls queue/new | wc -l)" 0
  grep -q '^Message-ID: <1@example.org>$' inbox || fail "not in DEFAULT"
  message '2@example.org' 'not a forum' <<< 'two' | deliver someone@example.org
  grep -q '^Message-ID: <2@example.org>$' inbox || fail "not in DEFAULT"
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_linux')" 0
}
