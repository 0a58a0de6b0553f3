#!/usr/bin/env bats
# The hosted mailbox recipe of forumgate(7) (examples/hosted): one catch-all
# account at a mail host serves several forums and all three actions,
# routed by the Delivered-To and X-Original-To fields the host's MTA wrote.
# A private Dovecot serves it over POP3 and IMAP on loopback, with TLS from
# a private CA (pop3s://, imaps://, and STARTTLS on the plain ports);
# mailsplit --drain takes it into a queue, forumpost --queue posts it into
# a private MariaDB. The cron line and the systemd units are run line for
# line, as the user they name (nobody here). Also the continuous mode:
# spoolcheck --watch in a loop instead of cron.

load ../lib/common
load ../lib/dovecot
load ../lib/e2e

setup_file() { e2e_setup_file; }
teardown_file() { e2e_teardown_file; }

setup() {
  common_setup
  [ "$(id -u)" -eq 0 ] || skip "needs root to run private servers"
  command -v openssl >/dev/null || fail "openssl is not installed (scripts/deps test)"
  DC_TLS=1 dovecot_start "$T" forums 'catch-all-secret'
  export SSL_CERT_FILE=$DC_CA
  dovecot_netrc "$T/netrc" 'catch-all-secret'
  export MAILSPLIT_NETRC=$T/netrc
  e2e_setup_forum
  mariadb_sql "$DB" -e "CREATE TABLE agora_kernel LIKE agora_linux;
    INSERT INTO agora (bn_name, bn_db, bn_title) VALUES ('kernel', 'agora_kernel', 'Kernel');
    GRANT SELECT, INSERT, UPDATE ON agora_kernel TO 'forumgate'@'localhost'"
  mariadb_defaults "$T/my.cnf" "$DB"
}

teardown() {
  dovecot_stop
  common_teardown
}

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

# The recipe of examples/hosted, run as the user it names would run it:
# nobody here. The provider is this Dovecot; the netrc, the queue, the lock
# and the outbox are the test's and that user's.
recipe_setup() {
  mkdir lock && chmod 1777 lock
  mkdir -p queue/new queue/cur queue/tmp && chown -R nobody:nogroup queue && chmod -R 700 queue
  touch outbox && chown nobody:nogroup netrc outbox
  # Confirmations go to the outbox, not to this machine's MTA.
  forumpost_config sendmail "\"tee -a $T/outbox\""
}

# hosted_example FILE: a file of examples/hosted with the test's paths, the
# provider's URLs pointing at this Dovecot.
hosted_example() {
  example "hosted/$1" | sed -e "s|pop3s://forums@pop.example.net/|pop3s://forums@127.0.0.1:$DC_POP3S_PORT/|g" \
    -e "s|imaps://forums@imap.example.net/|imaps://forums@127.0.0.1:$DC_IMAPS_PORT/|g"
}

@test "the cron line of examples/hosted: POP3S as its user, every forum and action; then nothing to do" {
  recipe_setup
  hosted_example forumgate-hosted.cron > hosted.cron
  local user cmd env
  user=$(awk '/^[*0-9]/ { print $6 }' hosted.cron)
  cmd=$(awk '/^[*0-9]/ { $1 = $2 = $3 = $4 = $5 = $6 = ""; sub(/^ +/, ""); print }' hosted.cron)
  # The file's variables, but PATH: the built programs come first.
  mapfile -t env < <(sed -n '/^PATH=/d; /^[A-Z_]*=/p' hosted.cron)
  assert_equal "$user" forum
  assert_equal "${env[*]}" "MAILSPLIT_NETRC=$T/netrc"
  [[ $cmd == *"pop3s://forums@127.0.0.1:$DC_POP3S_PORT/"* ]] || fail "no pop3s:// URL in: $cmd"
  deliver_mixed
  run as_nobody env -u MAILSPLIT_NETRC "${env[@]}" sh -c "$cmd"
  assert_success
  check_mixed
  grep -q "pop3-login: .*Login: user=<forums>.*TLS" "$DC_LOG" || fail "no TLS login in the server's log"
  # Nothing at the provider, nothing waiting: spoolcheck stops the line.
  run as_nobody env -u MAILSPLIT_NETRC "${env[@]}" sh -c "$cmd"
  assert_equal "$status" 1
  [ "$(sql 'SELECT COUNT(*) FROM agora_linux')" = 2 ]
}

@test "the systemd units of examples/hosted: they verify, and their commands post over IMAPS as User=" {
  command -v systemd-analyze > /dev/null || skip "systemd-analyze is not installed"
  recipe_setup
  local u
  for u in forumgate-hosted.service forumgate-hosted.timer; do
    # shellcheck disable=SC2094 # reads examples/hosted/$u, writes $T/$u
    hosted_example "$u" | sed "s|^User=forum$|User=nobody|" > "$u"
  done
  mkdir -p man/man7 && cp "$FORUMGATE_SOURCE/man/forumgate.7" man/man7/
  run env MANPATH="$T/man" systemd-analyze verify "$T/forumgate-hosted.service" "$T/forumgate-hosted.timer"
  assert_success
  local condition start env
  condition=$(sed -n 's/^ExecCondition=//p' forumgate-hosted.service)
  start=$(sed -n 's/^ExecStart=//p' forumgate-hosted.service)
  mapfile -t env < <(sed -n '/^Environment=PATH=/d; s/^Environment=//p' forumgate-hosted.service)
  assert_equal "${env[*]}" "MAILSPLIT_NETRC=$T/netrc"
  [[ $start == *"imaps://forums@127.0.0.1:$DC_IMAPS_PORT/INBOX"* ]] || fail "no imaps:// URL in: $start"
  run as_nobody env -u MAILSPLIT_NETRC "${env[@]}" PATH="$FORUMGATE_BIN:/usr/bin:/bin" sh -c "$condition"
  assert_equal "$status" 1   # no mail yet: the run is skipped
  deliver_mixed
  run as_nobody env -u MAILSPLIT_NETRC "${env[@]}" PATH="$FORUMGATE_BIN:/usr/bin:/bin" sh -c "$condition"
  assert_success
  run as_nobody env -u MAILSPLIT_NETRC "${env[@]}" PATH="$FORUMGATE_BIN:/usr/bin:/bin" sh -c "$start"
  assert_success
  check_mixed
  grep -q "imap-login: .*Login: user=<forums>.*TLS" "$DC_LOG" || fail "no TLS login in the server's log"
  run as_nobody env -u MAILSPLIT_NETRC "${env[@]}" PATH="$FORUMGATE_BIN:/usr/bin:/bin" sh -c "$condition"
  assert_equal "$status" 1
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
