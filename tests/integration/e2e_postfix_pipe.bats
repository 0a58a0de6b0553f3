#!/usr/bin/env bats
# Recipe 1 of forumgate(7): a private Postfix pipes mail into forumpost, as
# nobody, through an alias (examples/postfix/aliases) and through a pipe(8)
# transport that passes ${recipient} (examples/postfix/master.cf); forumpost
# reaches a private MariaDB as the forumgate account of examples/mariadb.

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

@test "the option file is for root and nobody's group only; its account can do all forumpost does, no more" {
  assert_equal "$(stat -c '%a %U %G' forumgate.my.cnf)" "640 root nogroup"
  message '1@example.org' 'by hand' <<< 'Hello.' > m1
  run as_nobody forumpost --config "$T/forumgate.conf" -r linux@forum.example.org m1
  assert_success
  # Subscribing, confirming, unsubscribing and a refusal, as nobody: the
  # grants cover every statement.
  fpn() { as_nobody forumpost --config "$T/forumgate.conf" --sendmail cat "$@"; }
  message 's1@example.org' 'subscribe' <<< 'please' > m2
  run fpn -r linux-subscribe@forum.example.org m2
  assert_success
  confirm=$(sed -n 's/^Reply-To: //p' <<< "$output")
  [[ $confirm == linux-confirm-*@forum.example.org ]] || fail "no confirmation address in: $output"
  run fpn -r "$confirm" m2
  assert_output --partial "outcome=subscribed"
  run fpn -r linux-unsubscribe@forum.example.org m2
  confirm=$(sed -n 's/^Reply-To: //p' <<< "$output")
  run fpn -r "$confirm" m2
  assert_output --partial "outcome=unsubscribed"
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_fg_subscriptions')" 0
  message '3@example.org' 'stranger' <<< 'hi' > m3
  run fpn --policy members -r linux@forum.example.org m3
  assert_failure 77
  # The account may post, but not change the forum's tables.
  run mariadb --defaults-file="$T/forumgate.my.cnf" -e 'DROP TABLE agora_linux'
  assert_failure
  assert_output --partial "DROP command denied"
}

@test "alias pipe: sendmail to forum-linux posts as nobody; a reply joins the thread" {
  example postfix/aliases > aliases.in
  postfix_start "$T"
  message '1@example.org' 'Mounting NFS' <<< 'My server refuses the mount.' |
    postfix_send -f amelie@example.org forum-linux@localhost
  postfix_wait_sent 1
  grep -q 'status=sent (delivered to command: .*forumpost' "$PF_LOG" || fail "not delivered to forumpost"
  message '2@example.org' 'Re: Mounting NFS' 'In-Reply-To: <1@example.org>' <<< 'Try nolock.' |
    postfix_send -f amelie@example.org forum-linux@localhost
  postfix_wait_sent 2
  assert_equal "$(sql 'SELECT cle, parent, thread, subject FROM agora_linux ORDER BY cle' | tr '\t\n' ',;')" \
    "1,0,1,Mounting NFS;2,1,1,Re: Mounting NFS;"
  assert_equal "$(sql 'SELECT body FROM agora_linux WHERE cle = 1')" "<p>My server refuses the mount.</p>"
}

@test "pipe transport: routed by \${recipient}; deferred (4.x.x) while the database is down, posted once after a flush" {
  example postfix/main.cf > main.cf.in
  example postfix/master.cf > master.cf.in
  example postfix/transport > transport
  postmap transport
  echo "postmaster: root" > aliases.in
  postfix_start "$T"
  message '1@example.org' 'first' <<< 'one' | postfix_send -f amelie@example.org linux@forum.example.org
  postfix_wait_sent 1
  grep -q 'to=<linux@forum.example.org>, relay=forumgate,.* status=sent' "$PF_LOG" || fail "not sent by the forumgate transport"
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_linux')" 1

  mariadb_stop
  message '2@example.org' 'while down' <<< 'two' | postfix_send -f amelie@example.org linux@forum.example.org
  wait_log 'to=<linux@forum.example.org>, relay=forumgate,.* dsn=4\.[0-9]+\.[0-9]+, status=deferred'
  echo "# $(grep -o "dsn=4[^ ]* status=deferred (temporary failure" "$PF_LOG")" >&3
  mariadb_start "$E2E_DB_DIR"
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_linux')" 1
  postfix_flush
  postfix_wait_sent 2
  assert_equal "$(sql 'SELECT subject FROM agora_linux ORDER BY cle' | tr '\n' ,)" "first,while down,"
  # The same message again is a duplicate: still one post.
  message '2@example.org' 'while down' <<< 'two' | postfix_send -f amelie@example.org linux@forum.example.org
  postfix_wait_sent 3
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_fg_messages WHERE message_id = "<2@example.org>"')" 1
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_linux')" 2
}
