#!/usr/bin/env bats
# mailsplit against a real POP3 server: a private Dovecot (tests/lib/dovecot.bash)
# on 127.0.0.1, the password in a netrc file.

load ../lib/common
load ../lib/dovecot

setup() {
  common_setup
  [ "$(id -u)" -eq 0 ] || skip "needs root to run a private Dovecot"
  [ -x /usr/lib/dovecot/pop3 ] || fail "dovecot-pop3d is not installed (scripts/deps test)"
  dovecot_start "$T" alice 'open-sesame'
  dovecot_netrc "$T/netrc" 'open-sesame'
  export MAILSPLIT_NETRC=$T/netrc
  URL=pop3://alice@127.0.0.1:$DC_PORT/
  # A line that starts with a dot (POP3 dot-stuffs it), a From_ line in a
  # body, and a message without a final newline.
  printf 'From: a@example.org\nSubject: one\nMessage-ID: <1@example.org>\n\nFirst.\n.\n..two dots\n' > msg1
  printf 'From: b@example.org\nSubject: two\nMessage-ID: <2@example.org>\n\nForwarded:\nFrom c@example.org Mon Nov 23 09:00:00 2026\n>From quoted\n' > msg2
  printf 'From: e@example.org\nSubject: three\nMessage-ID: <3@example.org>\n\nno final newline' > msg3
}
teardown() {
  dovecot_stop
  common_teardown
}

# The queue's messages, oldest first.
queue_files() { ls "$1"/new | sort | sed "s|^|$1/new/|"; }

@test "three messages are taken byte for byte, and stay on the server without --drain" {
  dovecot_deliver msg1 msg2 msg3
  run mailsplit --count "$URL"
  assert_success
  assert_output 3
  run mailsplit "$URL" queue
  assert_success
  local files=($(queue_files queue))
  assert_equal "${#files[@]}" 3
  for i in 1 2 3; do
    # POP3 ends every message with a line end: Dovecot adds one to the third.
    diff "${files[$((i - 1))]}" <(cat "msg$i"; [ "$i" = 3 ] && echo) || fail "message $i differs"
  done
  run grep -c $'\r' "${files[@]}"
  refute_output --partial ':1'
  assert_equal "$(dovecot_count)" 3
  # A second run takes them again.
  run mailsplit "$URL" queue2
  assert_success
  assert_equal "$(ls queue2/new | wc -l)" 3
}

@test "--drain deletes them on the server once they are in the queue" {
  dovecot_deliver msg1 msg2 msg3
  run mailsplit --drain "$URL" queue
  assert_success
  assert_equal "$(ls queue/new | wc -l)" 3
  assert_equal "$(dovecot_count)" 0
  run mailsplit --count "$URL"
  assert_success
  assert_output 0
}

@test "a wrong password: 77, and nothing is deleted" {
  dovecot_deliver msg1 msg2 msg3
  dovecot_netrc "$T/netrc" 'wrong'
  run mailsplit --drain "$URL" queue
  assert_equal "$status" 77
  assert_output --partial 'netrc'
  assert_equal "$(dovecot_count)" 3
  assert_equal "$(ls queue/new 2>/dev/null | wc -l)" 0
}

@test "no server on the port: 75, try again later" {
  local port
  port=$(free_port)
  run mailsplit --count "pop3://alice@127.0.0.1:$port/"
  assert_equal "$status" 75
  assert_output --partial 'try again later'
}

@test "a password in the URL: 64, and nothing is fetched" {
  dovecot_deliver msg1
  run mailsplit --drain "pop3://alice:open-sesame@127.0.0.1:$DC_PORT/" queue
  assert_equal "$status" 64
  assert_output --partial 'netrc'
  assert_equal "$(dovecot_count)" 1
}

@test "--drain needs a durable destination" {
  dovecot_deliver msg1
  run mailsplit --drain --count "$URL"
  assert_equal "$status" 64
  assert_equal "$(dovecot_count)" 1
}

# kill_during_drain PATTERN: drain 50 messages of 150 kB into queue through
# a proxy that holds the session at the first command matching PATTERN,
# and kill the server hard there (master and children, by pid): wherever
# the machine's speed would have put it, the cut comes at that command.
kill_during_drain() {
  local i pad
  pad=$(head -c 150000 /dev/zero | tr '\0' 'x' | fold -w 76)
  for i in $(seq 1 50); do
    printf 'From: s@example.org\nSubject: number %d\nMessage-ID: <%d@example.org>\n\n%s\n' "$i" "$i" "$pad" > "m$i"
  done
  dovecot_deliver $(for i in $(seq 1 50); do echo "m$i"; done)
  cutting_proxy "$DC_PORT" "$1" hold
  local master
  master=$(dovecot_master_pid)
  bg mailsplit --drain "pop3://alice@127.0.0.1:$PROXY_PORT/" queue
  local pid=$BG_PID
  wait_for_file "$PROXY_HIT"
  kill -9 "$master" $(pgrep -P "$master") 2>/dev/null || true
  wait_status "$pid"
}

# Every one of the 50 messages is in the queue or on the server.
assert_none_lost() {
  local where
  where=$(cat queue/new/* "$DC_MAILDIR"/new/* "$DC_MAILDIR"/cur/* 2>/dev/null |
          sed -n 's/^Subject: number //p' | sort -un | wc -l)
  assert_equal "$where" 50
  # No half-written copy stays in the queue.
  assert_equal "$(ls -A queue/tmp 2>/dev/null | wc -l)" 0
}

@test "the server killed while messages are fetched: all stay on the server" {
  # Cut at the 25th message, before the commit: 75, the queue rolled back,
  # the server keeps all.
  kill_during_drain '^RETR 25\b'
  assert_none_lost
  assert_equal "$(ls queue/new 2>/dev/null | wc -l)" 0
  assert_equal "$(dovecot_count)" 50
  assert_equal "$status" 75
}

@test "the server killed after the commit: none lost, at worst taken twice later" {
  # Cut among the deletions, after the commit: the queue has all; the
  # server, which expunges only at QUIT (RFC 1939), still has all.
  kill_during_drain '^DELE 25\b'
  assert_none_lost
  assert_equal "$(ls queue/new | wc -l)" 50
  assert_equal "$(dovecot_count)" 50
  assert_equal "$status" 75
  # The server back on its ports: the next drain through the same address
  # takes nothing twice and empties it.
  dovecot_restart
  run mailsplit --drain "pop3://alice@127.0.0.1:$PROXY_PORT/" queue
  assert_success
  assert_equal "$(ls queue/new | wc -l)" 50
  assert_equal "$(dovecot_count)" 0
}

# The Message-IDs in a queue, one per line, sorted, duplicates kept.
queue_ids() { cat "$1"/new/* 2>/dev/null | sed -n 's/^Message-ID: //p' | sort; }

@test "mailsplit killed between the commit and DELE: the next run yields no duplicate" {
  dovecot_deliver msg1 msg2 msg3
  cutting_proxy "$DC_PORT" '^DELE ' hold
  URL=pop3://alice@127.0.0.1:$PROXY_PORT/
  bg mailsplit --drain "$URL" queue
  local pid=$BG_PID
  wait_for_file "$PROXY_HIT"
  kill -9 "$pid"
  wait_status "$pid"
  assert_equal "$status" 137
  # In the queue, and on record there, but still on the server: no QUIT.
  assert_equal "$(ls queue/new | wc -l)" 3
  assert_equal "$(dovecot_count)" 3
  assert_equal "$(grep -c '^uid ' queue/mailsplit-uids.pop3.*)" 3
  # Without the record, a run would take all three again (the check can fail).
  cp -a queue forgetful
  rm forgetful/mailsplit-uids.pop3.*
  run mailsplit "$URL" forgetful
  assert_success
  assert_equal "$(ls forgetful/new | wc -l)" 6
  # With it: nothing taken twice, and the drain finished.
  run mailsplit --drain "$URL" queue
  assert_success
  assert_equal "$(queue_ids queue)" "$(printf '<1@example.org>\n<2@example.org>\n<3@example.org>')"
  assert_equal "$(dovecot_count)" 0
  assert_equal "$(grep -c '^uid ' queue/mailsplit-uids.pop3.*)" 0
}

@test "mailsplit killed after a batch reached the queue, before the run's end: no duplicate" {
  # 1,030 messages: the queue commits the first 1,024 as a batch while the
  # session goes on; the kill comes at the last RETR.
  local i
  mkdir many
  for i in $(seq 1 1030); do
    printf 'From: s@example.org\nSubject: %d\nMessage-ID: <%d@many.example.org>\n\nbody %d\n' "$i" "$i" "$i" > "many/$i"
  done
  dovecot_deliver $(seq 1 1030 | sed 's|^|many/|')
  cutting_proxy "$DC_PORT" '^RETR 1030\b' hold
  URL=pop3://alice@127.0.0.1:$PROXY_PORT/
  bg mailsplit "$URL" queue
  local pid=$BG_PID
  wait_for_file "$PROXY_HIT"
  kill -9 "$pid"
  wait_status "$pid"
  assert_equal "$status" 137
  # The first batch is in the queue, and on record.
  assert_equal "$(ls queue/new | wc -l)" 1024
  assert_equal "$(grep -c '^uid ' queue/mailsplit-uids.pop3.*)" 1024
  assert_equal "$(grep -c '^pending ' queue/mailsplit-uids.pop3.*)" 0
  # A reader has taken two of them meanwhile, as forumpost does: one moved
  # to cur/, one deleted (--delete).
  local first second
  first=$(ls queue/new | sort | sed -n 1p)
  second=$(ls queue/new | sort | sed -n 2p)
  mv "queue/new/$first" "queue/cur/$first:2,S"
  rm "queue/new/$second"
  # The next run takes the other six, nothing twice.
  run mailsplit "$URL" queue
  assert_success
  assert_equal "$(ls queue/new queue/cur | grep -c '\.')" 1029
  assert_equal "$(cat queue/new/* queue/cur/* | sed -n 's/^Message-ID: //p' | sort -u | wc -l)" 1029
  assert_equal "$(grep -c '^uid ' queue/mailsplit-uids.pop3.*)" 1030
  assert_equal "$(grep -c '^pending ' queue/mailsplit-uids.pop3.*)" 0
}
