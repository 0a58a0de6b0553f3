#!/usr/bin/env bats
# mailsplit and spoolcheck over TLS against a real Dovecot (tests/lib/dovecot.bash
# with DC_TLS=1): pop3s:// and imaps:// (TLS from the first byte), and STARTTLS
# on pop3:// and imap:// to a server that refuses a login in the clear. The
# server's certificate comes from a private CA, trusted through SSL_CERT_FILE
# (the variable OpenSSL defines); without it nothing is taken.

load ../lib/common
load ../lib/dovecot

setup() {
  common_setup
  [ "$(id -u)" -eq 0 ] || skip "needs root to run a private Dovecot"
  [ -x /usr/lib/dovecot/pop3 ] || fail "dovecot-pop3d is not installed (scripts/deps test)"
  command -v openssl >/dev/null || fail "openssl is not installed"
  DC_TLS=1 dovecot_start "$T" alice 'open-sesame'
  dovecot_netrc "$T/netrc" 'open-sesame'
  export MAILSPLIT_NETRC=$T/netrc SPOOLCHECK_NETRC=$T/netrc
  unset SSL_CERT_FILE SSL_CERT_DIR
  printf 'From: a@example.org\nSubject: one\nMessage-ID: <1@example.org>\n\nFirst.\n' > msg1
  printf 'From: b@example.org\nSubject: two\nMessage-ID: <2@example.org>\n\nSecond.\n' > msg2
}
teardown() {
  dovecot_stop
  common_teardown
}

# assert_taken FILE...: the queue holds those messages, in order, byte for
# byte, and the server none.
assert_taken() {
  local files=($(ls queue/new | sort | sed "s|^|queue/new/|")) i=0 f
  assert_equal "${#files[@]}" "$#"
  for f in "$@"; do cmp "${files[$i]}" "$f"; i=$((i + 1)); done
  assert_equal "$(dovecot_count)" 0
}

@test "pop3s:// with the CA trusted: taken byte for byte and drained; untrusted: 69, nothing taken" {
  dovecot_deliver msg1 msg2
  local url=pop3s://alice@127.0.0.1:$DC_POP3S_PORT/
  run mailsplit --drain "$url" queue
  assert_equal "$status" 69
  assert_output --partial "SSL_CERT_FILE"
  assert_equal "$(dovecot_count)" 2
  [ ! -d queue/new ] || [ -z "$(ls -A queue/new)" ] || fail "something was taken"
  SSL_CERT_FILE=$DC_CA run mailsplit --drain "$url" queue
  assert_success
  assert_taken msg1 msg2
  grep -q "pop3-login: .*Login: user=<alice>.*TLS" "$DC_LOG" || fail "no TLS login in the server's log"
}

@test "imaps:// with the CA trusted: taken and drained; spoolcheck counts over imaps:// and pop3s://" {
  dovecot_deliver msg1 msg2
  export SSL_CERT_FILE=$DC_CA
  run spoolcheck -c "imaps://alice@127.0.0.1:$DC_IMAPS_PORT/" "pop3s://alice@127.0.0.1:$DC_POP3S_PORT/"
  assert_success
  assert_line --index 0 "2 imaps://alice@127.0.0.1:$DC_IMAPS_PORT/"
  assert_line --index 1 "2 pop3s://alice@127.0.0.1:$DC_POP3S_PORT/"
  run mailsplit --drain "imaps://alice@127.0.0.1:$DC_IMAPS_PORT/" queue
  assert_success
  assert_taken msg1 msg2
  grep -q "imap-login: .*Login: user=<alice>.*TLS" "$DC_LOG" || fail "no TLS login in the server's log"
}

@test "pop3:// and imap:// to a server that wants TLS first: STARTTLS, then the login" {
  dovecot_deliver msg1
  export SSL_CERT_FILE=$DC_CA
  run mailsplit --count "pop3://alice@127.0.0.1:$DC_PORT/"
  assert_success
  assert_output 1
  run mailsplit --count "imap://alice@127.0.0.1:$DC_IMAP_PORT/"
  assert_success
  assert_output 1
  grep -q "pop3-login: .*Login: user=<alice>.*TLS" "$DC_LOG" || fail "no TLS POP3 login in the server's log"
  grep -q "imap-login: .*Login: user=<alice>.*TLS" "$DC_LOG" || fail "no TLS IMAP login in the server's log"
  # Not trusted: the session stops at the certificate, before the password.
  unset SSL_CERT_FILE
  run mailsplit --count "pop3://alice@127.0.0.1:$DC_PORT/"
  assert_equal "$status" 69
  assert_output --partial "SSL_CERT_FILE"
}
