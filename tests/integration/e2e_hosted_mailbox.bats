#!/usr/bin/env bats
# The hosted mailbox recipe: one catch-all account at a mail host serves
# several forums and all three actions, routed by the Delivered-To and
# X-Original-To fields the host's MTA wrote. A private Dovecot serves it
# over POP3 and IMAP on loopback; mailsplit --drain takes it into a queue,
# forumpost --queue posts it into a private MariaDB. Also the continuous
# mode: spoolcheck --watch in a loop instead of cron.

load ../lib/common
load ../lib/dovecot
load ../lib/mariadb

setup() {
  common_setup
  [ "$(id -u)" -eq 0 ] || skip "needs root to run private servers"
  dovecot_start "$T" forums 'catch-all-secret'
  dovecot_netrc "$T/netrc" 'catch-all-secret'
  export MAILSPLIT_NETRC=$T/netrc
  mariadb_start "$T"
  DB=hosted
  mariadb_load_wagora "$DB"
  mariadb_sql "$DB" -e "CREATE TABLE agora_kernel LIKE agora_linux;
    INSERT INTO agora (bn_name, bn_db, bn_title) VALUES ('kernel', 'agora_kernel', 'Kernel')"
  mariadb_defaults "$T/my.cnf" "$DB"
}

teardown() {
  dovecot_stop
  mariadb_stop
  common_teardown
}

sql() { mariadb_sql -N -B "$DB" -e "$1"; }

# hosted FILE FIELD RECIPIENT SUBJECT ID [HEADER...]: a message as the
# host delivered it to the catch-all account, its envelope recipient in FIELD.
hosted() {
  local file=$1 field=$2 rcpt=$3 subject=$4 id=$5
  shift 5
  {
    printf 'Return-Path: <amelie@example.org>\n%s: %s\n' "$field" "$rcpt"
    printf 'From: Amelie <amelie@example.org>\nTo: undisclosed-recipients:;\n'
    printf 'Subject: %s\nMessage-ID: %s\n' "$subject" "$id"
    local h
    for h in "$@"; do printf '%s\n' "$h"; done
    printf '\nText of %s.\n' "$subject"
  } > "$file"
}

forumpost_queue() {
  forumpost --defaults-file my.cnf --queue queue --address '{forum}@forum.example.org' \
    --sendmail "tee -a $T/outbox" "$@"
}

deliver_mixed() {
  hosted m1 Delivered-To linux@forum.example.org "linux thread" "<l1@example.org>"
  hosted m2 X-Original-To kernel@forum.example.org "kernel thread" "<k1@example.org>"
  hosted m3 Delivered-To linux@forum.example.org "Re: linux thread" "<l2@example.org>" "In-Reply-To: <l1@example.org>"
  hosted m4 Delivered-To linux-subscribe@forum.example.org "subscribe" "<s1@example.org>"
  hosted m5 X-Original-To kernel+unsubscribe@forum.example.org "unsubscribe" "<u1@example.org>"
  dovecot_deliver m1 m2 m3 m4 m5
}

check_mixed() {
  [ "$(sql 'SELECT cle, parent, subject FROM agora_linux ORDER BY cle' | tr '\t\n' '|;')" = \
    "1|0|linux thread;2|1|Re: linux thread;" ]
  [ "$(sql 'SELECT subject FROM agora_kernel')" = "kernel thread" ]
  # Two confirmations went to the sender, one per request, none posted.
  [ "$(grep -c '^To: amelie@example.org$' outbox)" = 2 ]
  grep -q '^Subject: Confirm: subscribe linux ' outbox
  grep -q '^Subject: Confirm: unsubscribe kernel ' outbox
  [ "$(sql 'SELECT COUNT(*) FROM agora_fg_confirmations')" = 2 ]
  [ "$(dovecot_count)" = 0 ]   # drained
}

@test "POP3: one catch-all account, two forums, all three actions, by Delivered-To and X-Original-To" {
  deliver_mixed
  run mailsplit --drain "pop3://forums@127.0.0.1:$DC_PORT/" queue
  assert_success
  run forumpost_queue
  assert_success
  assert_output --partial "5 taken, 3 posted, 0 duplicates, 0 ignored, 2 subscriptions, 0 refused, 0 deferred"
  check_mixed
}

@test "IMAP: the same, and a second run finds nothing to do" {
  deliver_mixed
  run mailsplit --drain "imap://forums@127.0.0.1:$DC_IMAP_PORT/INBOX" queue
  assert_success
  forumpost_queue
  check_mixed
  run mailsplit --drain "imap://forums@127.0.0.1:$DC_IMAP_PORT/INBOX" queue
  assert_success
  run forumpost_queue
  assert_output --partial "0 taken"
}

@test "continuous mode: spoolcheck --watch in a loop posts new mail without cron" {
  mkdir -p spool/new spool/cur spool/tmp
  # The loop a systemd service (examples/systemd) or a shell would run.
  cat > loop <<'SH'
#!/bin/sh
while :; do
  spoolcheck -q --watch --timeout 5 spool || continue
  mailsplit --drain spool queue && forumpost --defaults-file my.cnf --queue queue -q
done
SH
  chmod +x loop
  bg ./loop
  # No need to wait for the loop to be watching: spoolcheck --watch exits
  # at once when mail is there already.
  local start end i
  for i in 1 2 3; do
    printf 'From: a@example.org\nTo: linux@forum.example.org\nSubject: live %d\nMessage-ID: <live%d@x>\n\nnow\n' \
      "$i" "$i" > spool/tmp/m$i
    start=$(date +%s%N)
    mv spool/tmp/m$i spool/new/1795500000.M${i}P1.host
    # Up to two minutes: the latency is printed, not asserted.
    for ((n = 0; n < 2400; n++)); do
      [ "$(sql "SELECT COUNT(*) FROM agora_linux WHERE subject = 'live $i'")" = 1 ] && break
      sleep 0.05
    done
    end=$(date +%s%N)
    [ "$(sql "SELECT COUNT(*) FROM agora_linux WHERE subject = 'live $i'")" = 1 ]
    echo "# message $i posted $(((end - start) / 1000000)) ms after delivery" >&3
  done
  [ "$(sql 'SELECT COUNT(*) FROM agora_linux')" = 3 ]
}
