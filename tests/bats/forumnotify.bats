#!/usr/bin/env bats
# forumnotify against a real MariaDB (a private server for this file, one
# database per test): posts made by mail (through forumpost) and on the
# web (rows as W-Agora writes them) go to the forum's subscribers, once,
# threaded, as valid messages; sendmail is a script that keeps each
# message and its arguments (the end-to-end suite uses Postfix itself).

load ../lib/common
load ../lib/mariadb

setup_file() {
  mariadb_start "$BATS_FILE_TMPDIR"
  export MDB_DIR MDB_SOCK MDB_PID
}

teardown_file() { mariadb_stop; }

setup() {
  common_setup
  DB=t$BATS_TEST_NUMBER
  mariadb_load_wagora "$DB"
  mariadb_defaults "$T/my.cnf" "$DB"
  sql "INSERT INTO agora_users (userid, useraddress, username) VALUES
         ('amelie', 'amelie@example.org', 'Amélie Durand'), ('bob', 'bob@example.net', 'Bob'),
         ('carol', 'carol@example.com', '')"
  subscribe amelie@example.org bob@example.net carol@example.com
  mkdir out
  # The sendmail interface: arguments, then the message on stdin.
  cat > capture <<SH
#!/bin/sh
f=\$(mktemp "$T/out/m.XXXXXX")
printf '%s\n' "\$@" > "\$f.args"
cat > "\$f.eml"
rm -f "\$f"
SH
  chmod 755 capture
}

teardown() { common_teardown; }

sql() { mariadb_sql -N -B "$DB" -e "$1"; }
subscribe() {
  local a
  for a in "$@"; do sql "INSERT INTO agora_fg_subscriptions (bn_name, address, unixdate) VALUES ('linux', '$a', 1)"; done
}
fn() {
  forumnotify --defaults-file "$T/my.cnf" --address '{forum}@forum.example.org' \
    --web-message-id '<{post}.{forum}@forum.example.org>' --loop forum@forum.example.org --sendmail "${SENDMAIL:-$T/capture}" "$@"
}
# post_by_mail ID FROM SUBJECT [HEADER...] < BODY: through forumpost.
post_by_mail() {
  local id=$1 from=$2 subject=$3
  shift 3
  {
    printf 'From: %s\nTo: linux@forum.example.org\nSubject: %s\nMessage-ID: <%s>\n' "$from" "$subject" "$id"
    printf 'Date: Mon, 23 Nov 2026 12:00:00 +0000\n'
    local h
    for h in "$@"; do printf '%s\n' "$h"; done
    printf '\n'
    cat
  } | forumpost --defaults-file "$T/my.cnf" -q -r linux@forum.example.org --web-message-id '<{post}.{forum}@forum.example.org>'
}
# post_on_web PARENT SUBJECT BODY [USERID] [HIDDEN]: the row W-Agora's PHP writes.
post_on_web() {
  local parent=$1 thread
  sql "INSERT INTO agora_linux (parent, thread, subject, body, userid, unixdate, hidden)
       VALUES ($parent, 0, '$2', '$3', '${4:-bob}', UNIX_TIMESTAMP(), ${5:-0})"
  if [ "$parent" = 0 ]; then
    sql "UPDATE agora_linux SET thread = cle WHERE thread = 0"
  else
    thread=$(sql "SELECT thread FROM agora_linux WHERE cle = $parent")
    sql "UPDATE agora_linux SET thread = $thread WHERE thread = 0"
  fi
}
# The messages sent, as "recipients|envelope sender|Message-ID|Subject" lines, sorted.
sent() {
  local f
  for f in out/*.eml; do
    [ -e "$f" ] || continue
    printf '%s|%s|%s|%s\n' "$(sed '1,/^--$/d' "${f%.eml}.args" | tr '\n' ' ' | sed 's/ $//')" \
      "$(sed -n '/^-f$/{n;p}' "${f%.eml}.args")" "$(sed -n 's/^Message-ID: //p' "$f")" \
      "$(sed -n 's/^Subject: //p' "$f")"
  done | sort
}
field() { python3 -c 'import email,email.policy,sys; m=email.message_from_binary_file(open(sys.argv[1],"rb"),policy=email.policy.default); print(m[sys.argv[2]])' "$1" "$2"; }
one_to() { grep -lx -- "$1" out/*.args | head -1 | sed 's/\.args$/.eml/'; }

@test "the first run starts after the newest post; then a post by mail reaches the others, not its author" {
  echo "Before." | post_by_mail 1@example.org amelie@example.org "Old news"
  run fn
  assert_success
  assert_output --partial "0 posts sent, 0 messages accepted"
  assert_equal "$(sql 'SELECT last_post FROM agora_fg_notify')" 1
  echo "My server refuses the mount." | post_by_mail 2@example.org 'Amelie Durand <amelie@example.org>' "Problème de montage NFS"
  run fn
  assert_success
  assert_output --partial "1 posts sent, 2 messages accepted, 0 refused, 0 posts waiting"
  assert_equal "$(sent)" "bob@example.net|linux-bounces+bob=example.net@forum.example.org|<2@example.org>|=?utf-8?q?Probl=C3=A8me?= de montage NFS
carol@example.com|linux-bounces+carol=example.com@forum.example.org|<2@example.org>|=?utf-8?q?Probl=C3=A8me?= de montage NFS"
  m=$(one_to bob@example.net)
  assert_equal "$(field "$m" From)" "Amélie Durand via Linux <linux@forum.example.org>"
  assert_equal "$(field "$m" Reply-To)" "linux@forum.example.org"
  assert_equal "$(field "$m" To)" "Linux <linux@forum.example.org>"
  assert_equal "$(field "$m" List-Id)" "Linux <linux.forum.example.org>"
  assert_equal "$(field "$m" List-Post)" "<mailto:linux@forum.example.org>"
  assert_equal "$(field "$m" List-Unsubscribe)" "<mailto:linux-unsubscribe@forum.example.org>"
  assert_equal "$(field "$m" Precedence)" "list"
  assert_equal "$(field "$m" X-Loop)" "forum@forum.example.org"
  run python3 "$FORUMGATE_SOURCE/tests/lib/check_mail.py" out/*.eml
  assert_success
  run mimeparse "$m"
  assert_success
  assert_equal "$(jq -r .text <<< "$output" | head -1)" "My server refuses the mount."
  # Nothing new: nothing sent, the outbox and the deliveries empty.
  rm out/*
  run fn
  assert_output --partial "0 posts sent, 0 messages accepted"
  assert_equal "$(ls out | wc -l)" 0
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_fg_outbox')" 0
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_fg_deliveries')" 0
}

@test "a guest's post by mail is not sent back to the guest's subscription, whatever the case of the address" {
  subscribe guest@example.com
  fn
  echo "A guest writes." | post_by_mail g1@example.com 'Gus <Guest@EXAMPLE.com>' "From a guest"
  assert_equal "$(sql 'SELECT userid FROM agora_linux')" "Gus (guest)"
  assert_equal "$(sql 'SELECT sender FROM agora_fg_messages')" "Guest@EXAMPLE.com"
  run fn
  assert_output --partial "1 posts sent, 3 messages accepted"
  assert_equal "$(sent | cut -d'|' -f1 | tr '\n' ' ')" "amelie@example.org bob@example.net carol@example.com "
  # The same with --copy-author: the guest's subscription gets its own post.
  rm out/*
  echo "Again." | post_by_mail g2@example.com 'Gus <Guest@EXAMPLE.com>' "Again"
  run fn --copy-author
  assert_output --partial "1 posts sent, 4 messages accepted"
  assert_equal "$(sent | cut -d'|' -f1 | grep -c guest@example.com)" 1
}

@test "an older database without the sender column: forumpost defers (75) naming it; upgrade-notify.sql adds it" {
  sql "ALTER TABLE agora_fg_messages DROP COLUMN sender"
  echo "Hi." > body
  run post_by_mail o1@example.com amelie@example.org "Old schema" < body
  assert_failure 75
  assert_output --partial "column agora_fg_messages.sender"
  assert_output --partial "upgrade-notify.sql"
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_linux')" 0
  mariadb_sql "$DB" < "$FORUMGATE_SOURCE/share/forumgate/upgrade-notify.sql"
  mariadb_sql "$DB" < "$FORUMGATE_SOURCE/share/forumgate/upgrade-notify.sql"
  run post_by_mail o1@example.com amelie@example.org "Old schema" < body
  assert_success
  assert_equal "$(sql 'SELECT sender FROM agora_fg_messages')" "amelie@example.org"
}

@test "web posts: the web Message-ID; a reply carries In-Reply-To and References of its chain" {
  fn
  post_on_web 0 'Kernel 6.1 &amp; NFS' '<p>Any news?</p>'
  echo "Yes." | post_by_mail r1@example.org carol@example.com "Re: Kernel 6.1 & NFS" "In-Reply-To: <1.linux@forum.example.org>"
  post_on_web 2 'Re: Kernel 6.1 &amp; NFS' '<p>Thanks &lt;3</p>'
  assert_equal "$(sql 'SELECT cle, parent, thread FROM agora_linux ORDER BY cle' | tr '\t\n' ',;')" "1,0,1;2,1,1;3,2,1;"
  run fn
  assert_success
  assert_output --partial "3 posts sent"
  m=$(grep -l '^Message-ID: <3.linux@forum.example.org>' out/*.eml | head -1)
  assert_equal "$(field "$m" Subject)" "Re: Kernel 6.1 & NFS"
  assert_equal "$(field "$m" In-Reply-To)" "<r1@example.org>"
  assert_equal "$(field "$m" References)" "<1.linux@forum.example.org> <r1@example.org>"
  assert_equal "$(field "$m" From)" "Bob via Linux <linux@forum.example.org>"
  # Bob wrote posts 1 and 3, Carol post 2: each gets the others' posts only.
  assert_equal "$(sent | cut -d'|' -f1,3 | sort)" "amelie@example.org|<1.linux@forum.example.org>
amelie@example.org|<3.linux@forum.example.org>
amelie@example.org|<r1@example.org>
bob@example.net|<r1@example.org>
carol@example.com|<1.linux@forum.example.org>
carol@example.com|<3.linux@forum.example.org>"
  run python3 "$FORUMGATE_SOURCE/tests/lib/check_mail.py" out/*.eml
  assert_success
}

@test "a hidden post waits for a moderator; a subscriber gets only posts made after subscribing" {
  fn
  post_on_web 0 'Moderated' '<p>Held.</p>' bob 1
  run fn
  assert_output --partial "0 posts sent, 0 messages accepted, 0 refused, 1 posts waiting"
  assert_equal "$(ls out | wc -l)" 0
  sql "INSERT INTO agora_fg_subscriptions (bn_name, address, unixdate) VALUES ('linux', 'late@example.org', UNIX_TIMESTAMP() + 100)"
  sql "UPDATE agora_linux SET hidden = 0"
  run fn
  assert_output --partial "1 posts sent, 2 messages accepted"
  assert_equal "$(sent | cut -d'|' -f1 | tr '\n' ' ')" "amelie@example.org carol@example.com "
  run fn --copy-author
  assert_output --partial "0 posts sent"
}

@test "sendmail failing: 75, the post waits, and the next run sends only what is missing" {
  fn
  post_on_web 0 'One' '<p>1</p>' carol
  # Accepts amelie's, fails for bob's.
  cat > flaky <<SH
#!/bin/sh
case "\$*" in *bob@*) exit 75 ;; esac
exec "$T/capture" "\$@"
SH
  chmod 755 flaky
  SENDMAIL=$T/flaky run fn --parallel 1
  assert_failure 75
  assert_output --partial "deferred: "
  assert_output --partial "exited with 75"
  assert_equal "$(sql 'SELECT post_id, address, status FROM agora_fg_deliveries' | tr '\t' ' ')" "1 amelie@example.org sent"
  assert_equal "$(sql 'SELECT post_id FROM agora_fg_outbox')" 1
  run fn
  assert_success
  assert_equal "$(sent | cut -d'|' -f1)" "amelie@example.org
bob@example.net"
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_fg_outbox')" 0
}

@test "--dry-run prints the messages and recipients, sends and changes nothing" {
  fn
  post_on_web 0 'Dry' '<p>Only printed.</p>' carol
  before=$(sql 'SELECT * FROM agora_fg_notify; SELECT * FROM agora_fg_outbox' | md5sum)
  run fn --dry-run
  assert_success
  assert_line "sendmail -f linux-bounces+amelie=example.org@forum.example.org -- amelie@example.org"
  assert_line "Subject: Dry"
  assert_equal "$(ls out | wc -l)" 0
  assert_equal "$(sql 'SELECT * FROM agora_fg_notify; SELECT * FROM agora_fg_outbox' | md5sum)" "$before"
  run fn
  assert_equal "$(sent | wc -l)" 2
}

@test "hostile posts: every message is valid (strict parser, mimeparse) and no field is added" {
  fn
  nasty=$(printf 'Hi\\r\\nBcc: victim@example.org\\n\\x00x =?utf-8?q?fake?= \xf0\x9f\x98\x80 \xff\xfe')
  sql "INSERT INTO agora_users (userid, useraddress, username) VALUES ('eve', 'eve@example.org', CONCAT('Eve', CHAR(13), CHAR(10), 'Reply-To: evil@example.com'))"
  long=$(head -c 20000 /dev/zero | tr '\0' 'y')
  word=$(head -c 250 /dev/zero | tr '\0' 'w')
  sql "INSERT INTO agora_linux (parent, thread, subject, body, userid, unixdate) VALUES
       (0, 1, CONCAT('Sub', CHAR(13), CHAR(10), 'Bcc: victim@example.org', CHAR(0), '\\\\r\\\\n'), '<p>$long</p><script>x</script>', 'eve', 1),
       (1, 1, '$word', CONCAT('<p>', CHAR(0), 'caf\\xC3\\xA9 \\xF0\\x9F\\x98\\x80</p>\\r\\n.\\r\\nFrom x'), 'Eve\\nBcc: x@y (guest)', 2)"
  echo "body" | post_by_mail 'h3@example.org' '=?utf-8?q?Ev=0Ae=0D=0ABcc:_victim@example.org?= <x@example.org>' \
    "=?utf-8?b?8J+YgCBzdWJqZWN0DQpCY2M6IHZpY3RpbUBleGFtcGxlLm9yZw==?="
  sql "UPDATE agora_linux SET subject = CONCAT(subject, ' \\xE9t\\xE9') WHERE cle = 3"
  run fn
  assert_success
  assert_output --partial "3 posts sent, 9 messages accepted"
  run python3 "$FORUMGATE_SOURCE/tests/lib/check_mail.py" out/*.eml
  assert_success
  for m in out/*.eml; do
    run mimeparse "$m"
    assert_success
    refute grep -qi '^bcc:' "$m"
    assert_equal "$(grep -ci '^reply-to:' "$m")" 1
  done
}

@test "reply keys: Reply-To binds the post and the subscriber; the secret must be the owner's alone" {
  fn
  post_on_web 0 'Keys' '<p>k</p>' carol
  head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > secret
  chmod 644 secret
  run fn --reply-key-file secret
  assert_failure 78
  assert_output --partial "chmod 600"
  chmod 600 secret
  run fn --reply-key-file secret
  assert_success
  m=$(one_to bob@example.net)
  [[ $(field "$m" Reply-To) =~ ^linux\+r1\.[0-9a-f]{20}@forum\.example\.org$ ]] || fail "$(field "$m" Reply-To)"
  [ "$(field "$m" Reply-To)" != "$(field "$(one_to amelie@example.org)" Reply-To)" ]
}

@test "list headers from the configuration: one-click unsubscription, archive, the post's link" {
  fn
  post_on_web 0 'Links' '<p>l</p>' carol
  run fn --unsubscribe-url 'https://forum.example.org/unsub?f={forum}&a={address}' \
    --archive-url 'https://forum.example.org/{forum}/' --post-url 'https://forum.example.org/{forum}/{thread}#{post}'
  assert_success
  m=$(one_to bob@example.net)
  assert_equal "$(field "$m" List-Unsubscribe)" \
    "<mailto:linux-unsubscribe@forum.example.org>, <https://forum.example.org/unsub?f=linux&a=bob@example.net>"
  assert_equal "$(field "$m" List-Unsubscribe-Post)" "List-Unsubscribe=One-Click"
  assert_equal "$(field "$m" List-Archive)" "<https://forum.example.org/linux/>"
  run mimeparse "$m"
  assert_output --partial "https://forum.example.org/linux/1#1"
  run python3 "$FORUMGATE_SOURCE/tests/lib/check_mail.py" out/*.eml
  assert_success
}

@test "without VERP or keys, subscribers share one message, --batch at a time" {
  fn
  post_on_web 0 'Shared' '<p>s</p>' nobody
  run fn --bounce '{forum}-bounces@' --batch 2
  assert_success
  assert_equal "$(sent | cut -d'|' -f1,2)" "amelie@example.org bob@example.net|linux-bounces@forum.example.org
carol@example.com|linux-bounces@forum.example.org"
}

@test "--since-post, --forum, --sql; configuration and usage errors" {
  post_on_web 0 'A' '<p>a</p>' carol
  post_on_web 0 'B' '<p>b</p>' carol
  run fn --since-post 1
  assert_success
  assert_equal "$(sent | cut -d'|' -f3 | sort -u)" "<2.linux@forum.example.org>"
  run fn --forum nosuch
  assert_failure 67
  run forumnotify --defaults-file "$T/my.cnf" --web-message-id '<{post}@x>' --sendmail "$T/capture"
  assert_failure 78
  assert_output --partial "needs its domain"
  run forumnotify --defaults-file "$T/my.cnf" --address '{forum}@f.example' --sendmail "$T/capture"
  assert_failure 78
  assert_output --partial "--web-message-id"
  run fn --sql 'nosuch=SELECT 1'
  assert_failure 78
  # A replaced statement is used: nobody subscribes.
  post_on_web 0 'C' '<p>c</p>' carol
  run fn --sql "subscribers=SELECT address FROM agora_fg_subscriptions WHERE ? = 0 AND bn_name = ? AND unixdate <= ?"
  assert_success
  assert_output --partial "1 posts sent, 0 messages accepted"
  run fn --parallel 0
  assert_failure 64
}

@test "the database lacking forumnotify's tables: 78, naming them" {
  sql "DROP TABLE agora_fg_deliveries"
  run fn
  assert_failure 78
  assert_output --partial "agora_fg_deliveries"
  assert_output --partial "upgrade-notify.sql"
  mariadb_sql "$DB" < "$FORUMGATE_SOURCE/share/forumgate/upgrade-notify.sql"
  run fn
  assert_success
}

@test "a forum another run holds is skipped (75); a killed run's lease expires; a stalled run stops sending" {
  fn
  post_on_web 0 'Leased' '<p>l</p>' carol
  # Another host's run holds the lease (its row, as forumnotify writes it).
  sql "REPLACE INTO agora_fg_leases (name, holder, expires) VALUES ('linux', 'other:1:1', UNIX_TIMESTAMP() + 600)"
  run fn
  assert_failure 75
  assert_output --partial "another forumnotify is sending it"
  assert_equal "$(ls out | wc -l)" 0
  assert_equal "$(sql 'SELECT holder FROM agora_fg_leases')" "other:1:1"
  # This host's run, killed: its process is gone, and the next run takes
  # the lease at once (pids never reach 999999999).
  sql "UPDATE agora_fg_leases SET holder = CONCAT('$(hostname)', ':999999999:1')"
  run fn -v
  assert_success
  assert_output --partial "is gone; its lease taken"
  assert_equal "$(sent | wc -l)" 2
  # Another host's, killed: its lease runs out; the run that takes it sends,
  # then gives it back.
  rm out/*
  post_on_web 0 'Expired' '<p>e</p>' carol
  sql "UPDATE agora_fg_leases SET holder = 'other:1:1', expires = UNIX_TIMESTAMP() + 600"
  run fn
  assert_failure 75
  sql "UPDATE agora_fg_leases SET expires = UNIX_TIMESTAMP() - 1"
  run fn
  assert_success
  assert_equal "$(sent | wc -l)" 2
  assert_equal "$(sql 'SELECT holder <> "other:1:1", expires FROM agora_fg_leases' | tr '\t' ,)" "1,0"
  # A run whose lease another run takes over while it sends stops, 75, and
  # the rest waits for the run that holds it. sendmail here hands the
  # lease over at the first message and takes longer than a third of
  # --lease, when the run renews it: as a run stalled past --lease finds it.
  rm out/*
  post_on_web 0 'Taken' '<p>t</p>' carol
  cat > takeover <<SH
#!/bin/sh
"$T/capture" "\$@"
mariadb --defaults-file="$T/my.cnf" -e "UPDATE agora_fg_leases SET holder = 'other:2:2', expires = UNIX_TIMESTAMP() + 600"
sleep 4
SH
  chmod 755 takeover
  SENDMAIL=$T/takeover run fn --lease 10 --commit-every 1 --batch 1 --parallel 1
  assert_failure 75
  assert_output --partial "took over the lease of forum linux"
  assert_equal "$(ls out/*.eml | wc -l)" 1
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_fg_outbox')" 1
  assert_equal "$(sql 'SELECT holder FROM agora_fg_leases')" "other:2:2"
}

@test "attachments: attached up to --max-attached, linked beyond it" {
  fn
  mkdir -p base/attachments
  big=$(head -c 3000 /dev/zero | tr '\0' 'p' | base64 -w 76)
  {
    printf 'From: Bob <bob@example.net>\nTo: linux@forum.example.org\nSubject: Logs\nMessage-ID: <att@example.net>\n'
    printf 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n'
    printf -- '--b\nContent-Type: text/plain\n\nThe logs.\n'
    printf -- '--b\nContent-Type: text/plain\nContent-Disposition: attachment; filename="dmesg.txt"\n\nline one\n'
    printf -- '--b\nContent-Type: application/pdf\nContent-Disposition: attachment; filename="big.pdf"\nContent-Transfer-Encoding: base64\n\n%s\n' "$big"
    printf -- '--b--\n'
  } | forumpost --defaults-file "$T/my.cnf" -q -r linux@forum.example.org --attachments-dir base
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_attachments')" 2
  run fn --attachments-dir base --max-attached 100 --attachments-url https://forum.example.org/files
  assert_success
  m=$(one_to carol@example.com)
  run python3 - "$m" <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print(m.get_content_type())
for part in m.iter_attachments():
    print(part.get_filename(), part.get_content_type(), part.get_content().strip())
print(m.get_body(("plain",)).get_content())
PY
  assert_success
  assert_line "multipart/mixed"
  assert_line "dmesg.txt text/plain line one"
  assert_line --partial "Attachment big.pdf: https://forum.example.org/files/attachments/2.big.pdf"
  refute_line --partial "big.pdf application/pdf"
  run python3 "$FORUMGATE_SOURCE/tests/lib/check_mail.py" out/*.eml
  assert_success
}
