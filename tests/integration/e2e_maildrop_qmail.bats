#!/usr/bin/env bats
# Recipe 4 of forumgate(7): examples/maildrop/mailfilter run by the real
# maildrop as nobody, and examples/qmail/.qmail-forum-default run as
# qmail-local(8) runs it (qmail is not in Debian 12: sh -c with DEFAULT and
# HOST set), its exit statuses those qmail knows: 0, 100, 111.

load ../lib/common
load ../lib/e2e

setup_file() { e2e_setup_file; }
teardown_file() { e2e_teardown_file; }

setup() {
  common_setup
  [ "$(id -u)" -eq 0 ] || skip "runs maildrop as nobody"
  e2e_setup_forum
  # The queue made by Courier's own tool (mode 0700, as the queue must be).
  maildirmake queue && chown -R nobody:nogroup queue
  # maildrop dot-locks a mailbox: in a directory of nobody's.
  install -d -o nobody -g nogroup -m 700 mail
}
teardown() { common_teardown; }

# maildrop_deliver TO < MESSAGE: maildrop as nobody, its filter file
# nobody's own (maildrop insists).
maildrop_deliver() {
  { printf 'Delivered-To: %s\n' "$1"; cat; } | as_nobody env HOME="$T" maildrop "$T/mailfilter"
}

@test "maildrop: posted; queued on 75 while the database is down; other failures to the default mailbox" {
  command -v maildrop >/dev/null || fail "maildrop is not installed (scripts/deps test)"
  # The default mailbox is /var/mail/$LOGNAME, compiled in: the test's own.
  { echo "DEFAULT=\"$T/mail/inbox\""; example maildrop/mailfilter; } > mailfilter
  chown nobody:nogroup mailfilter && chmod 600 mailfilter
  message '1@example.org' 'first' <<< 'one' | maildrop_deliver linux@forum.example.org
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_linux')" 1
  message '9@example.org' 'to nowhere' <<< 'nine' | maildrop_deliver nosuch@forum.example.org
  grep -q '^Message-ID: <9@example.org>$' mail/inbox || fail "not in the default mailbox"

  mariadb_stop
  run maildrop_deliver linux@forum.example.org < <(message '2@example.org' 'Re: first' 'In-Reply-To: <1@example.org>' <<< 'two')
  assert_success
  message '3@example.org' 'third' <<< 'three' | maildrop_deliver linux@forum.example.org
  # Courier's names: SECONDS.MusecPpidVdevIino_N.host,S=size
  assert_equal "$(ls queue/new | grep -Ec '^[0-9]+\.M[0-9]+P[0-9]+V.*,S=[0-9]+$')" 2
  mariadb_start "$E2E_DB_DIR"
  run as_nobody forumpost --config "$T/forumgate.conf" --queue queue
  assert_success
  assert_output --partial "queue: 2 taken, 2 posted, 0 duplicates"
  assert_equal "$(sql 'SELECT cle, parent, thread, subject FROM agora_linux ORDER BY cle' | tr '\t\n' ',;')" \
    "1,0,1,first;2,1,1,Re: first;3,0,3,third;"
  assert_equal "$(grep -c '^Message-ID:' mail/inbox)" 1
}

# qmail_deliver LOCALPART < MESSAGE: the command line of the .qmail file as
# qmail-local runs it, for a message to LOCALPART@forum.example.org.
qmail_deliver() {
  local line
  line=$(example qmail/.qmail-forum-default | sed -n 's/^|//p')
  as_nobody env -i PATH=/usr/bin:/bin DEFAULT="$1" HOST=forum.example.org \
    RECIPIENT="alias-forum-$1@forum.example.org" sh -c "$line"
}

@test "qmail: .qmail-forum-default exits 0 when posted, 100 for a permanent failure, 111 to try again" {
  run qmail_deliver linux < <(message '1@example.org' 'first' <<< 'one')
  assert_success
  run qmail_deliver linux < <(message '1@example.org' 'first' <<< 'one')
  assert_success
  assert_output --partial "outcome=duplicate"
  run qmail_deliver nosuch < <(message '2@example.org' 'lost' <<< 'two')
  assert_failure 100
  assert_output --partial 'no forum is named "nosuch"'
  run qmail_deliver linux < <(echo "not a message at all")
  assert_failure 100
  mariadb_stop
  run qmail_deliver linux < <(message '3@example.org' 'later' <<< 'three')
  assert_failure 111
  mariadb_start "$E2E_DB_DIR"
  run qmail_deliver linux < <(message '3@example.org' 'later' <<< 'three')
  assert_success
  assert_equal "$(sql 'SELECT subject FROM agora_linux ORDER BY cle' | tr '\n' ,)" "first,later,"
}
