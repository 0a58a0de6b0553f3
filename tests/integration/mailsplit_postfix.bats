#!/usr/bin/env bats
# mailsplit against real Postfix local(8) deliveries into an mbox (mboxo,
# fcntl + dotlock), from a private Postfix instance.

load ../lib/common
load ../lib/postfix

setup() {
  common_setup
  [ "$(id -u)" -eq 0 ] || skip "a private Postfix instance needs root"
  command -v postfix >/dev/null || PATH=$PATH:/usr/sbin
  command -v postfix >/dev/null || fail "postfix is not installed (scripts/deps test)"
  mkdir spool && chmod 1777 spool
  echo "forumbox: $T/spool/box" > aliases.in
  postfix_start "$T"
}
teardown() {
  postfix_stop
  common_teardown
}

# The message less the headers Postfix adds on delivery.
strip_postfix() {
  awk 'body { print; next }
       /^$/ { body = 1; print; next }
       /^(Return-Path|X-Original-To|Delivered-To):/ { next }
       /^Received:/ { skip = 1; next }
       skip && /^[ \t]/ { next }
       { skip = 0; print }' "$1"
}

@test "Postfix local deliveries come back byte for byte" {
  printf 'From: a@example.org\nSubject: one\nDate: Mon, 23 Nov 2026 10:00:00 +0000\nMessage-ID: <1@example.org>\n\nFrom here on, a line Postfix quotes.\n' > msg1
  printf 'From: b@example.org\nSubject: =?UTF-8?B?w6l0w6k=?=\nDate: Mon, 23 Nov 2026 10:01:00 +0000\nMessage-ID: <2@example.org>\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\n\xe9t\xe9\n\nFrom the second paragraph.\n' > msg2
  printf 'From: c@example.org\nSubject: three\nDate: Mon, 23 Nov 2026 10:02:00 +0000\nMessage-ID: <3@example.org>\n\nlast\n' > msg3
  for i in 1 2 3; do postfix_send -f "s$i@example.org" forumbox@localhost < "msg$i"; done
  postfix_wait_sent 3
  run mailsplit --count spool/box
  assert_output 3
  run mailsplit --drain spool/box queue
  assert_success
  assert_equal "$(stat -c %s spool/box)" 0
  assert_equal "$(ls queue/new | wc -l)" 3
  # Postfix's queue manager need not deliver in the order of submission:
  # each message is found by its Message-ID.
  for i in 1 2 3; do
    f=$(grep -l "^Message-ID: <$i@example.org>" queue/new/*)
    assert_equal "$(grep -m1 '^Return-Path:' "$f")" "Return-Path: <s$i@example.org>"
    diff <(strip_postfix "$f") "msg$i" || fail "message $i differs"
  done
}

@test "Postfix keeps delivering while mailsplit drains: every message queued exactly once" {
  local n=200 i
  (
    for ((i = 1; i <= n; i++)); do
      printf 'Message-ID: <%d@test>\nSubject: %d\n\nFrom here on, line one.\n' "$i" "$i" |
        postfix_send -f "u$i@example.org" forumbox@localhost
    done
  ) &
  local drains=0
  until [ "$(grep -c 'status=sent' "$PF_LOG" 2>/dev/null)" -ge "$n" ] || [ "$drains" -ge 20000 ]; do
    [ -e spool/box ] && mailsplit --drain -w 60 spool/box queue
    drains=$((drains + 1))
    sleep 0.01
  done
  wait
  postfix_wait_sent "$n"
  mailsplit --drain spool/box queue
  echo "# $drains drains while Postfix delivered $n messages" >&3
  cat queue/new/* | sed -n 's/^Message-ID: <\([0-9]*\)@test>/\1/p' | sort -n > queued
  assert_equal "$(wc -l < queued)" "$n"
  assert_equal "$(sort -un queued | wc -l)" "$n"
  assert_equal "$(cat queue/new/* | grep -c '^From here on, line one.$')" "$n"
}
