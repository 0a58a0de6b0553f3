#!/usr/bin/env bats
# spoolcheck on remote spools: POP3 STAT and IMAP STATUS against a private
# Dovecot (tests/lib/dovecot.bash) on 127.0.0.1.

load ../lib/common
load ../lib/dovecot

setup() {
  common_setup
  [ "$(id -u)" -eq 0 ] || skip "needs root to run a private Dovecot"
  [ -x /usr/lib/dovecot/imap ] && [ -x /usr/lib/dovecot/pop3 ] ||
    fail "dovecot-imapd and dovecot-pop3d are not installed (scripts/deps test)"
  dovecot_start "$T" alice 'open-sesame'
  dovecot_netrc "$T/netrc" 'open-sesame'
  export SPOOLCHECK_NETRC=$T/netrc
  POP=pop3://alice@127.0.0.1:$DC_PORT/
  IMAP=imap://alice@127.0.0.1:$DC_IMAP_PORT/
  printf 'From: a@example.org\nSubject: one\n\n1\n' > msg1
  printf 'From: b@example.org\nSubject: two\n\n2\n' > msg2
}
teardown() {
  dovecot_stop
  common_teardown
}

@test "an empty mailbox has no mail: 1, nothing printed; -c says 0" {
  run spoolcheck "$POP" "$IMAP"
  assert_equal "$status" 1
  assert_output ""
  run spoolcheck -c "$POP" "$IMAP"
  assert_equal "$status" 1
  assert_output "$(printf '0 %s\n0 %s' "$POP" "$IMAP")"
}

@test "two messages: 0, both printed; -c and --json count them" {
  dovecot_deliver msg1 msg2
  run spoolcheck "$POP" "$IMAP"
  assert_success
  assert_output "$(printf '%s\n%s' "$POP" "$IMAP")"
  run spoolcheck -c "$POP" "$IMAP"
  assert_success
  assert_output "$(printf '2 %s\n2 %s' "$POP" "$IMAP")"
  run spoolcheck --json -c "$POP" "$IMAP"
  assert_success
  [ "$(jq -r '.spools[] | "\(.type) \(.new_mail) \(.count)"' <<<"$output" | tr '\n' ,)" = "pop3 true 2,imap true 2," ]
  # Read mail counts too: mailsplit takes every message, read or not.
  # (curl's plain fetch marks a message \Seen: Maildir flag S.)
  curl -sS --netrc-file "$T/netrc" "${IMAP}INBOX;UID=1" >/dev/null
  curl -sS --netrc-file "$T/netrc" "${IMAP}INBOX;UID=2" >/dev/null
  assert_equal "$(dovecot_flags | grep -c S)" 2
  run spoolcheck -c "$IMAP"
  assert_success
  assert_output "2 $IMAP"
}

@test "an IMAP mailbox other than INBOX" {
  dovecot_folder forum
  DC_MAILDIR=$DC_MAILDIR/.forum dovecot_deliver msg1
  run spoolcheck -c "${IMAP}forum" "$IMAP"
  assert_success
  assert_output "$(printf '1 %sforum\n0 %s' "$IMAP" "$IMAP")"
  run spoolcheck "${IMAP}nowhere"
  assert_equal "$status" 2
  assert_output --partial nowhere
}

@test "a refused login is an error (2); the other spools are still checked" {
  dovecot_deliver msg1
  printf 'From x Mon Nov 23 09:00:00 2026\n\nhi\n' > box
  dovecot_netrc "$T/netrc" wrong
  run spoolcheck -c "$POP" box "$IMAP"
  assert_equal "$status" 2
  assert_line "1 box"
  assert_line --regexp "^spoolcheck: ${POP//./\\.}: .*Login denied.*netrc"
  assert_line --regexp "^spoolcheck: ${IMAP//./\\.}: .*Login denied.*netrc"
  # As grep -q: mail found answers the question.
  run spoolcheck -q "$POP" box
  assert_success
}

@test "the netrc file: SPOOLCHECK_NETRC, else MAILSPLIT_NETRC, else ~/.netrc" {
  dovecot_deliver msg1
  mkdir home
  dovecot_netrc wrong-netrc wrong
  dovecot_netrc home/.netrc open-sesame
  HOME=$T/home SPOOLCHECK_NETRC=$T/netrc MAILSPLIT_NETRC=$T/wrong-netrc run spoolcheck -q "$IMAP"
  assert_success
  HOME=$T/home SPOOLCHECK_NETRC= MAILSPLIT_NETRC=$T/netrc run spoolcheck -q "$IMAP"
  assert_success
  HOME=$T/home SPOOLCHECK_NETRC= MAILSPLIT_NETRC=$T/wrong-netrc run spoolcheck -q "$IMAP"
  assert_equal "$status" 2
  HOME=$T/home SPOOLCHECK_NETRC= MAILSPLIT_NETRC= run spoolcheck -q "$IMAP"
  assert_success
  dovecot_netrc home/.netrc wrong
  HOME=$T/home SPOOLCHECK_NETRC= MAILSPLIT_NETRC= run spoolcheck -q "$IMAP"
  assert_equal "$status" 2
}

@test "checking takes nothing and marks nothing read" {
  dovecot_deliver msg1 msg2
  run spoolcheck -c "$POP" "$IMAP"
  assert_success
  assert_equal "$(dovecot_count)" 2
  run dovecot_flags
  refute_output --partial S
}
