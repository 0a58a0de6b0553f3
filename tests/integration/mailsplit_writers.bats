#!/usr/bin/env bats
# mailsplit reads what real mail software writes: Dovecot's LDA (mboxcl2:
# nothing quoted, Content-Length tells the end) and its Maildir.

load ../lib/common

LDA=/usr/lib/dovecot/dovecot-lda

setup() {
  common_setup
  [ -x "$LDA" ] || fail "dovecot-lda is not installed (scripts/deps test)"
  mkdir home
  # Dovecot refuses to deliver as root: deliver as nobody.
  chown 65534:65534 home
  # Three messages; the second's body has lines that are real From_ lines,
  # which Dovecot does not quote: only Content-Length can tell.
  printf 'From: a@example.org\nSubject: one\n\nFirst.\n' > msg1
  printf 'From: b@example.org\nSubject: two\n\nForwarded:\nFrom c@example.org Mon Nov 23 09:00:00 2026\n>From quoted by its author\n\nFrom d@example.org Mon Nov 23 09:01:00 2026\nend\n' > msg2
  printf 'From: e@example.org\nSubject: three\n\nno final newline' > msg3
}
teardown() { common_teardown; }

setup_conf() {
  printf '%s\n' "mail_location = $MAILBOXES" 'protocols =' 'log_path = /dev/null' > dovecot.conf
}

deliver() {  # MSG SENDER
  setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$T/home" USER=nobody \
    "$LDA" -c "$T/dovecot.conf" -f "$2" < "$1"
}

# The message less the headers Dovecot adds and the Return-Path we add.
strip_added() {
  awk 'body { print; next }
       /^$/ { body = 1; print; next }
       /^(X-IMAPbase|X-UID|Status|X-Keywords|Content-Length|Return-Path):/ { next }
       { print }' "$1"
}

@test "Dovecot's mboxcl2: unquoted From_ lines in a body stay in it" {
  MAILBOXES="mbox:~/mail:INBOX=~/inbox"
  setup_conf
  deliver msg1 a@example.org
  deliver msg2 b@example.org
  deliver msg3 e@example.org
  run mailsplit --count home/inbox
  assert_output 3
  run mailsplit --drain home/inbox queue
  assert_success
  assert_equal "$(stat -c %s home/inbox)" 0
  local files=($(ls queue/new | sort))
  assert_equal "${#files[@]}" 3
  for i in 1 2 3; do
    f=queue/new/${files[$((i - 1))]}
    grep -q '^Content-Length: ' "$f" || fail "Dovecot wrote no Content-Length in message $i"
    # Dovecot ends each message with a newline of its own.
    diff <(strip_added "$f") <(cat "msg$i"; [ "$i" = 3 ] && echo) || fail "message $i differs"
  done
}

@test "Dovecot's Maildir: drained in delivery order" {
  MAILBOXES="maildir:~/Maildir"
  setup_conf
  for i in 1 2 3; do deliver "msg$i" "s$i@example.org"; done
  run mailsplit --drain home/Maildir queue
  assert_success
  local files=($(ls queue/new | sort))
  assert_equal "${#files[@]}" 3
  for i in 1 2 3; do
    # Dovecot ends each message with a newline of its own here too.
    diff <(strip_added "queue/new/${files[$((i - 1))]}") <(cat "msg$i"; [ "$i" = 3 ] && echo) ||
      fail "message $i differs"
  done
  run ls -A home/Maildir/new home/Maildir/cur
  refute_output --partial ","
}

