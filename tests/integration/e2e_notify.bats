#!/usr/bin/env bats
# The way back: forumnotify sends the forum's posts to its subscribers
# through a private Postfix (SMTP on a loopback port chosen now, and
# sendmail), whose virtual(8) delivers them into the Maildirs of three
# subscribers; their replies, made from the messages as they landed, go
# back through the same Postfix and its pipe transport (examples/postfix)
# into forumpost, and out again. Everything runs as nobody, with the
# forumgate account of examples/mariadb.

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
  mkdir -p mail
  chown nobody:nogroup mail
  printf '%s\n' "amelie@example.org example.org/amelie/" "bob@example.net example.net/bob/" \
    "carol@example.com example.com/carol/" "captured@example.org example.org/captured/" > vmailbox
  postmap vmailbox
  example postfix/main.cf > main.cf.in
  cat >> main.cf.in <<CF
virtual_mailbox_domains = example.org example.net example.com
virtual_mailbox_base = $T/mail
virtual_mailbox_maps = hash:$T/vmailbox
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
virtual_alias_maps = regexp:$T/copies
CF
  # A copy of each bounce that comes back to a VERP address, to read it
  # here (Postfix adds no BCC to the bounces it makes; an alias it expands).
  echo '/^(linux-bounces\+.*@forum\.example\.org)$/ ${1}, captured@example.org' > copies
  example postfix/master.cf > master.cf.in
  example postfix/transport > transport
  postmap transport
  echo "postmaster: root" > aliases.in
  postfix_listen "$T"
  postfix_start "$T"
  postfix_wait_listening
  # forumpost's confirmations go out through this Postfix too, over SMTP:
  # its sendmail -C is for root only, and forumpost runs as nobody.
  forumpost_config sendmail "\"python3 $FORUMGATE_SOURCE/tests/lib/smtp_sendmail.py $PF_SMTP_PORT -t -i\""
  sql "INSERT INTO agora_users (userid, useraddress, username) VALUES
         ('amelie', 'amelie@example.org', 'Amélie Durand'), ('bob', 'bob@example.net', 'Bob'),
         ('carol', 'carol@example.com', 'Carol')"
  local a
  for a in amelie@example.org bob@example.net carol@example.com; do
    sql "INSERT INTO agora_fg_subscriptions (bn_name, address, unixdate) VALUES ('linux', '$a', 1)"
  done
  fn  # the first run: from after the newest post
}
teardown() {
  postfix_stop
  common_teardown
}

# Postfix's sendmail takes -C DIR from root only.
fn() { forumnotify --config "$T/forumgate.conf" --sendmail "/usr/sbin/sendmail -C $PF_DIR -i" "$@"; }
fn_smtp() { as_nobody forumnotify --config "$T/forumgate.conf" --smtp "smtp://127.0.0.1:$PF_SMTP_PORT" "$@"; }
# The messages in a subscriber's Maildir.
inbox() { find "$T/mail/${1#*@}/${1%@*}/new" -type f 2>/dev/null | sort; }
# wait_inbox ADDRESS N: until the Maildir has N messages.
wait_inbox() {
  local i
  for ((i = 0; i < 300; i++)); do
    [ "$(inbox "$1" | wc -l)" -ge "$2" ] && return 0
    sleep 0.1
  done
  echo "$1 has $(inbox "$1" | wc -l) messages, not $2; the log ends:" >&2
  tail -5 "$PF_LOG" >&2
  return 1
}
# wait_sql QUERY VALUE: until the query gives VALUE.
wait_sql() {
  local i
  for ((i = 0; i < 300; i++)); do
    [ "$(sql "$1")" = "$2" ] && return 0
    sleep 0.1
  done
  echo "$1 gives $(sql "$1"), not $2; the log ends:" >&2
  grep -v "smtp\[" "$PF_LOG" | tail -5 >&2
  return 1
}
# The newest by modification time (Maildir names do not sort by time).
newest() { find "$T/mail/${1#*@}/${1%@*}/new" -type f -printf '%T@ %p\n' | sort -n | tail -1 | cut -d' ' -f2-; }
field() { python3 -c 'import email,email.policy,sys; m=email.message_from_binary_file(open(sys.argv[1],"rb"),policy=email.policy.default); print(m[sys.argv[2]])' "$1" "$2"; }
check_all() {
  local m
  run python3 "$FORUMGATE_SOURCE/tests/lib/check_mail.py" --delivered $(find "$T/mail" -path '*/new/*' -type f)
  assert_success
  for m in $(find "$T/mail" -path '*/new/*' -type f); do
    mimeparse "$m" > /dev/null || fail "mimeparse refuses $m"
  done
}

@test "a post by mail reaches the two others over SMTP; a reply made from it comes back threaded and goes out" {
  message '1@example.org' 'Problème de montage NFS' <<< 'My server refuses the mount.' |
    postfix_send -f amelie@example.org linux@forum.example.org
  wait_sql "SELECT COUNT(*) FROM agora_linux" 1
  run fn_smtp
  assert_success
  assert_output --partial "1 posts sent, 2 messages accepted"
  wait_inbox bob@example.net 1
  wait_inbox carol@example.com 1
  assert_equal "$(inbox amelie@example.org | wc -l)" 0
  m=$(newest bob@example.net)
  assert_equal "$(field "$m" Message-ID)" "<1@example.org>"
  assert_equal "$(field "$m" From)" "Amélie Durand via Linux <linux@forum.example.org>"
  assert_equal "$(field "$m" Return-Path)" "<linux-bounces+bob=example.net@forum.example.org>"
  check_all

  python3 "$FORUMGATE_SOURCE/tests/lib/reply.py" "$m" 'Bob <bob@example.net>' 'Try the nolock option.' |
    postfix_send -f bob@example.net linux@forum.example.org
  wait_sql 'SELECT COUNT(*) FROM agora_linux' 2
  assert_equal "$(sql 'SELECT parent, thread, userid FROM agora_linux WHERE cle = 2' | tr '\t' ' ')" "1 1 bob"
  run fn
  assert_success
  assert_output --partial "1 posts sent, 2 messages accepted"
  wait_inbox amelie@example.org 1
  wait_inbox carol@example.com 2
  assert_equal "$(inbox bob@example.net | wc -l)" 1
  a=$(newest amelie@example.org)
  assert_equal "$(field "$a" In-Reply-To)" "<1@example.org>"
  assert_equal "$(field "$a" References)" "<1@example.org>"
  assert_equal "$(field "$a" Message-ID)" "$(sql 'SELECT message_id FROM agora_fg_messages WHERE post_id = 2')"
  check_all
}

@test "a reply from a client that drops In-Reply-To and References is threaded by the reply key it was sent to" {
  head -c 32 /dev/urandom | base64 > "$T/reply-key"
  chown nobody:nogroup "$T/reply-key"
  chmod 600 "$T/reply-key"
  forumpost_config reply-key-file "$T/reply-key"
  message '1@example.org' 'Keys' <<< 'Threaded by key.' | postfix_send -f amelie@example.org linux@forum.example.org
  wait_sql "SELECT COUNT(*) FROM agora_linux" 1
  run fn_smtp --reply-key-file "$T/reply-key"
  assert_success
  wait_inbox bob@example.net 1
  wait_inbox carol@example.com 1
  m=$(newest bob@example.net)
  [[ $(field "$m" Reply-To) =~ linux\+r1\.[0-9a-f]{20}@forum\.example\.org ]] || fail "Reply-To: $(field "$m" Reply-To)"
  key_address=${BASH_REMATCH[0]}
  python3 "$FORUMGATE_SOURCE/tests/lib/reply.py" "$m" 'Bob <bob@example.net>' 'By key.' --no-threading > r
  ! grep -qi '^In-Reply-To:\|^References:' r || fail "the reply names its parent"
  postfix_send -f bob@example.net "$key_address" < r
  wait_sql 'SELECT COUNT(*) FROM agora_linux' 2
  assert_equal "$(sql 'SELECT parent, thread, userid FROM agora_linux WHERE cle = 2' | tr '\t' ' ')" "1 1 bob"
  # Bob's key in Carol's mail binds nothing: a thread of its own.
  python3 "$FORUMGATE_SOURCE/tests/lib/reply.py" "$m" 'Carol <carol@example.com>' 'Borrowed.' --no-threading |
    postfix_send -f carol@example.com "$key_address"
  wait_sql 'SELECT COUNT(*) FROM agora_linux' 3
  assert_equal "$(sql 'SELECT parent, thread FROM agora_linux WHERE cle = 3' | tr '\t' ' ')" "0 3"
}

@test "a post made on the web (no row in our tables) goes out with its web id; a reply to it is threaded" {
  sql "INSERT INTO agora_linux (parent, thread, subject, body, userid, unixdate) VALUES
       (0, 0, 'Kernel 6.1 &amp; NFS', '<p>Anyone on <b>6.1</b>?</p>', 'carol', UNIX_TIMESTAMP())"
  sql "UPDATE agora_linux SET thread = cle"
  run fn_smtp
  assert_success
  wait_inbox amelie@example.org 1
  wait_inbox bob@example.net 1
  assert_equal "$(inbox carol@example.com | wc -l)" 0
  m=$(newest amelie@example.org)
  assert_equal "$(field "$m" Message-ID)" "<1.linux@forum.example.org>"
  assert_equal "$(field "$m" Subject)" "Kernel 6.1 & NFS"
  python3 "$FORUMGATE_SOURCE/tests/lib/reply.py" "$m" 'Amelie <amelie@example.org>' 'Yes, 6.1.' |
    postfix_send -f amelie@example.org linux@forum.example.org
  wait_sql 'SELECT parent FROM agora_linux WHERE cle = 2' 1
  run fn
  wait_inbox carol@example.com 1
  wait_inbox bob@example.net 2
  assert_equal "$(field "$(newest carol@example.com)" In-Reply-To)" "<1.linux@forum.example.org>"
  check_all
}

@test "an unsubscription through the List-Unsubscribe address, confirmed by mail, stops the mail" {
  sql "INSERT INTO agora_linux (parent, thread, subject, body, userid, unixdate) VALUES (0, 1, 'One', '<p>1</p>', 'amelie', UNIX_TIMESTAMP())"
  fn
  wait_inbox carol@example.com 1
  m=$(newest carol@example.com)
  unsubscribe=$(field "$m" List-Unsubscribe | sed 's/^<mailto:\(.*\)>$/\1/')
  assert_equal "$unsubscribe" "linux-unsubscribe@forum.example.org"
  printf 'From: carol@example.com\nTo: %s\nSubject: unsubscribe\nMessage-ID: <u1@example.com>\n\nplease\n' "$unsubscribe" |
    postfix_send -f carol@example.com "$unsubscribe"
  wait_inbox carol@example.com 2
  confirmation=$(grep -l '^Subject: Confirm' $(inbox carol@example.com))
  assert_equal "$(field "$confirmation" Subject | cut -d' ' -f1-3)" "Confirm: unsubscribe linux"
  python3 "$FORUMGATE_SOURCE/tests/lib/reply.py" "$confirmation" 'carol@example.com' 'yes' |
    postfix_send -f carol@example.com "$(field "$confirmation" Reply-To)"
  wait_sql "SELECT COUNT(*) FROM agora_fg_subscriptions WHERE address = 'carol@example.com'" 0
  sql "INSERT INTO agora_linux (parent, thread, subject, body, userid, unixdate) VALUES (0, 2, 'Two', '<p>2</p>', 'amelie', UNIX_TIMESTAMP())"
  run fn
  assert_output --partial "1 posts sent, 1 messages accepted"
  wait_inbox bob@example.net 2
  assert_equal "$(inbox carol@example.com | wc -l)" 2
}

@test "Postfix refusing a recipient over SMTP: a hard bounce; at the limit the subscription is disabled" {
  sql "INSERT INTO agora_fg_subscriptions (bn_name, address, unixdate) VALUES ('linux', 'ghost@example.org', 1)"
  sql "INSERT INTO agora_linux (parent, thread, subject, body, userid, unixdate) VALUES (0, 1, 'Hello', '<p>h</p>', 'amelie', UNIX_TIMESTAMP())"
  run fn_smtp --bounce-limit 2
  assert_success
  assert_output --partial "2 messages accepted, 1 refused"
  assert_output --partial "ghost@example.org refused"
  wait_inbox bob@example.net 1
  wait_inbox carol@example.com 1
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_fg_outbox')" 0
  assert_equal "$(sql 'SELECT address, status, hard FROM agora_fg_bounces' | tr '\t' ' ')" "ghost@example.org 5.1.1 1"
  assert_equal "$(sql 'SELECT disabled FROM agora_fg_subscriptions WHERE address = "ghost@example.org"')" 0
  # A second hard bounce, on another day: the limit of 2 is reached.
  sql "UPDATE agora_fg_bounces SET unixdate = unixdate - 86400"
  sql "INSERT INTO agora_linux (parent, thread, subject, body, userid, unixdate) VALUES (0, 2, 'Again', '<p>a</p>', 'amelie', UNIX_TIMESTAMP())"
  run fn_smtp --bounce-limit 2
  assert_success
  assert_output --partial "1 subscriptions disabled"
  [ "$(sql 'SELECT disabled FROM agora_fg_subscriptions WHERE address = "ghost@example.org"')" -gt 0 ]
  assert_equal "$(sql 'SELECT disabled_reason FROM agora_fg_subscriptions WHERE address = "ghost@example.org"')" \
    "2 hard bounces in 7 days, the last 5.1.1"
  sql "INSERT INTO agora_linux (parent, thread, subject, body, userid, unixdate) VALUES (0, 3, 'Third', '<p>3</p>', 'amelie', UNIX_TIMESTAMP())"
  run fn_smtp --bounce-limit 2
  assert_output --partial "1 posts sent, 2 messages accepted, 0 refused"
}

@test "the MTA unreachable: 75, nothing recorded, all sent once it is back" {
  sql "INSERT INTO agora_linux (parent, thread, subject, body, userid, unixdate) VALUES (0, 1, 'Later', '<p>l</p>', 'amelie', UNIX_TIMESTAMP())"
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  run as_nobody forumnotify --config "$T/forumgate.conf" --smtp "smtp://127.0.0.1:$port"
  assert_failure 75
  assert_output --partial "deferred"
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_fg_deliveries')" 0
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_fg_outbox')" 1
  run fn_smtp
  assert_success
  wait_inbox bob@example.net 1
  wait_inbox carol@example.com 1
}

@test "--mta-verp: one sendmail run for all, Postfix gives each recipient its own VERP sender" {
  sql "INSERT INTO agora_linux (parent, thread, subject, body, userid, unixdate) VALUES (0, 1, 'Shared', '<p>s</p>', 'web', UNIX_TIMESTAMP())"
  run fn --mta-verp
  assert_success
  assert_output --partial "1 posts sent, 3 messages accepted"
  wait_inbox amelie@example.org 1
  wait_inbox bob@example.net 1
  wait_inbox carol@example.com 1
  assert_equal "$(grep -c 'postfix/pickup' "$PF_LOG")" 1
  assert_equal "$(field "$(newest bob@example.net)" Return-Path)" "<linux-bounces+bob=example.net@forum.example.org>"
  assert_equal "$(field "$(newest carol@example.com)" Return-Path)" "<linux-bounces+carol=example.com@forum.example.org>"
  run fn_smtp --mta-verp
  assert_failure 64
}

@test "examples/: the cron line and the systemd units send the posts, as nobody" {
  # Through this Postfix: the config's sendmail, for the programs run as nobody.
  sed -i "/^\[forumnotify\]/a sendmail = \"python3 $FORUMGATE_SOURCE/tests/lib/smtp_sendmail.py $PF_SMTP_PORT -i\"" forumgate.conf
  mkdir lock && chmod 1777 lock
  sql "INSERT INTO agora_linux (parent, thread, subject, body, userid, unixdate) VALUES (0, 1, 'By cron', '<p>c</p>', 'web', UNIX_TIMESTAMP())"
  line=$(example cron/forumnotify.cron | awk '/^[*0-9]/ { $1 = $2 = $3 = $4 = $5 = $6 = ""; sub(/^ +/, ""); print }')
  run as_nobody env PATH="$FORUMGATE_BIN:/usr/bin:/bin" sh -c "$line"
  assert_success
  assert_output --partial "1 posts sent, 3 messages accepted"
  wait_inbox bob@example.net 1
  assert_equal "$(field "$(newest bob@example.net)" Return-Path)" "<linux-bounces+bob=example.net@forum.example.org>"

  command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed"
  example systemd/forumnotify.service | sed "s|^User=forum$|User=nobody|" > forumnotify.service
  example systemd/forumnotify.timer > forumnotify.timer
  mkdir -p man/man1 && cp "$FORUMGATE_SOURCE/man/forumnotify.1" man/man1/
  run env MANPATH="$T/man" systemd-analyze verify "$T/forumnotify.service" "$T/forumnotify.timer"
  assert_success
  sql "INSERT INTO agora_linux (parent, thread, subject, body, userid, unixdate) VALUES (0, 2, 'By the timer', '<p>t</p>', 'web', UNIX_TIMESTAMP())"
  run as_nobody env PATH="$FORUMGATE_BIN:/usr/bin:/bin" sh -c "$(sed -n 's/^ExecStart=//p' forumnotify.service)"
  assert_success
  wait_inbox carol@example.com 2
}

@test "the real Postfix's bounce of a mailbox that does not exist: VERP names it, the report reads as Sisimai and flufl.bounce read it" {
  perl -MSisimai -e 1 2>/dev/null || fail "libsisimai-perl is not installed (scripts/deps test)"
  sql "INSERT INTO agora_fg_subscriptions (bn_name, address, unixdate) VALUES ('linux', 'ghost@example.org', 1)"
  sql "INSERT INTO agora_linux (parent, thread, subject, body, userid, unixdate) VALUES (0, 1, 'Hello', '<p>h</p>', 'amelie', UNIX_TIMESTAMP())"
  # sendmail: Postfix takes the message, then its virtual(8) finds no such mailbox.
  run fn
  assert_success
  assert_output --partial "1 posts sent, 3 messages accepted"
  wait_inbox captured@example.org 1
  b=$(newest captured@example.org)
  assert_equal "$(field "$b" Delivered-To)" "captured@example.org"
  [[ $(grep -m1 '^X-Original-To:\|^To:' "$b") == *linux-bounces+ghost=example.org@forum.example.org* ]] ||
    fail "the bounce came to $(grep -m1 '^To:' "$b")"
  # Its report, as our reader (through mimeparse) and the two peers read it.
  run mimeparse "$b"
  assert_success
  ours=$(jq -r '.bounce.recipients[] | "\(.address) \(.action) \(.status)"' <<< "$output")
  assert_equal "$ours" "ghost@example.org failed 5.1.1"
  assert_equal "$(jq -r .auto <<< "$output")" "bounce"
  run "$FORUMGATE_SOURCE/tests/lib/bounce_peers.sh" sisimai "$b"
  assert_success
  assert_equal "$output" "$ours"
  run "$FORUMGATE_SOURCE/tests/lib/bounce_peers.sh" flufl "$b"
  assert_success
  assert_equal "$output" "ghost@example.org permanent"
  # forumpost, behind the pipe transport, took the bounce, counted it for
  # ghost, and posted nothing.
  wait_log 'to=<linux-bounces\+ghost=example.org@forum.example.org>, relay=forumgate,.* status=sent'
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_linux')" 1
  assert_equal "$(sql 'SELECT address, status, hard FROM agora_fg_bounces' | tr '\t' ' ')" "ghost@example.org 5.1.1 1"
}
