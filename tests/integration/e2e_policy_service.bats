#!/usr/bin/env bats
# Refusing at RCPT time (forumgate(7)): a private Postfix with an SMTP
# listener on a loopback port chosen when the test runs asks forumpost
# --policy-service (examples/postfix/policy.*.cf) about each recipient;
# what passes goes through the pipe transport (examples/postfix) into
# forumpost, which posts it. Mail is sent over SMTP by Python's smtplib.

load ../lib/common
load ../lib/postfix
load ../lib/e2e

setup_file() { e2e_setup_file; }
teardown_file() { e2e_teardown_file; }

setup() {
  common_setup
  [ "$(id -u)" -eq 0 ] || skip "a private Postfix instance needs root"
  command -v postfix >/dev/null || PATH=$PATH:/usr/sbin
  command -v postfix >/dev/null || fail "postfix is not installed (scripts/deps test)"
  e2e_setup_forum
}
teardown() {
  postfix_stop
  common_teardown
}

# start_smtp_postfix: Postfix with the policy service and the pipe
# transport, its smtpd on a loopback port free when chosen ($PF_SMTP_PORT);
# a port taken between the choice and the bind is given up for another.
start_smtp_postfix() {
  local try
  for ((try = 0; try < 5; try++)); do
    { example postfix/main.cf; example postfix/policy.main.cf; } > main.cf.in
    { example postfix/master.cf; example postfix/policy.master.cf; } > master.cf.in
    postfix_listen "$T"
    example postfix/transport > transport
    postmap transport
    echo "postmaster: root" > aliases.in
    postfix_start "$T" || return 1
    postfix_wait_listening && return 0
    postfix_stop
  done
  echo "no smtpd listening after 5 ports" >&2
  return 1
}

# smtp FROM TO: one message over SMTP; prints the server's answer to RCPT
# ("250" when it was accepted and sent, else the code and text refused).
smtp() {
  python3 - "$PF_SMTP_PORT" "$1" "$2" <<'PY'
import smtplib, sys
port, sender, rcpt = int(sys.argv[1]), sys.argv[2], sys.argv[3]
msg = (f"From: {sender}\r\nTo: {rcpt}\r\nSubject: from {sender} to {rcpt}\r\n"
       f"Message-ID: <{sender}.{rcpt}@test>\r\n\r\nhello\r\n")
with smtplib.SMTP("127.0.0.1", port, timeout=120) as s:
    s.ehlo("client.example.org")
    s.mail(sender)
    code, text = s.rcpt(rcpt)
    if code != 250:
        print(code, text.decode())
        sys.exit(0)
    code, text = s.data(msg)
    print(code)
PY
}

@test "policy service: unknown forums and strangers refused with 5.x.x at RCPT, members and open forums accepted, nothing bounced" {
  sql "CREATE TABLE agora_talk LIKE agora_linux;
       INSERT INTO agora (bn_name, bn_db, bn_title, descr, category) VALUES ('talk', 'agora_talk', 'Talk', '', 0);
       INSERT INTO agora_users (userid, useraddress) VALUES ('amelie', 'amelie@example.org');
       INSERT INTO agora_userforum (userid, bn_name, writepriv) VALUES ('amelie', 'linux', 1)"
  mariadb_sql -e "GRANT SELECT, INSERT, UPDATE ON \`$DB\`.agora_talk TO 'forumgate'@'localhost'"
  forumpost_config forum-policy linux=members
  start_smtp_postfix
  run smtp stranger@example.org nosuch@forum.example.org
  assert_output --regexp '^5[0-9][0-9] 5\.1\.1 <nosuch@forum\.example\.org>: .*no forum is named "nosuch"'
  run smtp stranger@example.org linux@forum.example.org
  assert_output --regexp '^5[0-9][0-9] 5\.7\.1 <linux@forum\.example\.org>: .*stranger@example\.org is not a member of linux'
  run smtp amelie@example.org linux@forum.example.org
  assert_output 250
  run smtp stranger@example.org talk@forum.example.org
  assert_output 250
  postfix_wait_sent 2
  assert_equal "$(sql 'SELECT subject FROM agora_linux')" "from amelie@example.org to linux@forum.example.org"
  assert_equal "$(sql 'SELECT subject FROM agora_talk')" "from stranger@example.org to talk@forum.example.org"
  # Nothing bounced, nothing waiting: the refused were never accepted.
  run grep -E 'status=(bounced|deferred)|sender non-delivery notification' "$PF_LOG"
  assert_failure
  assert_equal "$(postqueue -c "$PF_DIR" -j | wc -l)" 0
}

@test "policy service: while the database is down, forum recipients are deferred (4.x.x), never refused" {
  start_smtp_postfix
  mariadb_stop
  run smtp stranger@example.org nosuch@forum.example.org
  assert_output --regexp '^4[0-9][0-9] 4\.3\.0 '
  run smtp amelie@example.org linux@forum.example.org
  assert_output --regexp '^4[0-9][0-9] 4\.3\.0 '
  mariadb_start "$E2E_DB_DIR"
  run smtp stranger@example.org nosuch@forum.example.org
  assert_output --regexp '^5[0-9][0-9] 5\.1\.1 '
}
