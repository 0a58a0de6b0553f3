#!/usr/bin/env bats
# forumpost against a real MariaDB (a private server for this file, one
# database per test, made from share/forumgate/wagora.sql): posting,
# replying, duplicates, policies, routing, hostile input, exit statuses,
# dry runs, records, the queue, subscriptions, attachments.

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
  D=$FORUMGATE_SOURCE/tests/data/mime
}

teardown() { common_teardown; }

fp() { forumpost --defaults-file "$T/my.cnf" "$@"; }
sql() { mariadb_sql -N -B "$DB" -e "$1"; }

# mail FILE FROM TO SUBJECT [HEADER...] < BODY
mail() {
  local file=$1 from=$2 to=$3 subject=$4
  shift 4
  {
    printf 'From: %s\nTo: %s\nSubject: %s\nDate: Mon, 23 Nov 2026 12:00:00 +0000\n' "$from" "$to" "$subject"
    local h
    for h in "$@"; do printf '%s\n' "$h"; done
    printf '\n'
    cat
  } > "$file"
}

@test "a new thread, then a reply by In-Reply-To, then one by References only" {
  run fp "$D/latin1.eml"
  assert_success
  assert_output --partial "outcome=posted post=1 thread=1"
  [ "$(sql 'SELECT parent, thread, userid FROM agora_linux WHERE cle = 1')" = "0	1	Amélie Durand (guest)" ]
  [ "$(sql 'SELECT subject FROM agora_linux WHERE cle = 1')" = "Problème de montage NFS" ]
  [ "$(sql 'SELECT body FROM agora_linux WHERE cle = 1')" = "<p>Déjà essayé ? Mon serveur refuse le montage.</p>" ]
  fp -r linux@forum.example.org "$D/reply.eml"
  [ "$(sql 'SELECT parent, thread FROM agora_linux WHERE cle = 2')" = "1	1" ]
  echo "Third." | mail m3 carol@example.org linux@forum.example.org "Re: again" \
    "Message-ID: <3@example.org>" "References: <unknown@elsewhere> <20261123.2@example.org> <nothing@x>"
  fp m3
  # The newest References id this forum has is the parent.
  [ "$(sql 'SELECT parent, thread FROM agora_linux WHERE cle = 3')" = "2	1" ]
  [ "$(sql 'SELECT totalthreads, totalnotes FROM agora WHERE bn_name = "linux"')" = "1	3" ]
}

@test "a second delivery is a duplicate, also without a Message-ID" {
  fp "$D/latin1.eml"
  run fp "$D/latin1.eml"
  assert_success
  assert_output --partial "outcome=duplicate post=1"
  echo "No id here." | mail m a@example.org linux@forum.example.org "no id"
  fp m
  run fp m
  assert_success
  assert_output --partial "outcome=duplicate"
  [ "$(sql 'SELECT COUNT(*) FROM agora_linux')" = 2 ]
  [ "$(sql 'SELECT totalnotes FROM agora')" = 2 ]
}

@test "a thread 50 deep keeps its thread and parents" {
  echo start | mail m a@example.org linux@forum.example.org "deep" "Message-ID: <d0@x>"
  fp m
  for i in $(seq 1 50); do
    echo "reply $i" | mail m a@example.org linux@forum.example.org "Re: deep" \
      "Message-ID: <d$i@x>" "In-Reply-To: <d$((i - 1))@x>"
    fp -q m
  done
  [ "$(sql 'SELECT COUNT(*), MIN(thread), MAX(thread) FROM agora_linux')" = "51	1	1" ]
  [ "$(sql 'SELECT COUNT(*) FROM agora_linux WHERE cle > 1 AND parent <> cle - 1')" = 0 ]
}

@test "routing: unknown forum and no forum address are 67; -subscribe is not a post" {
  echo x | mail m a@example.org nosuch@forum.example.org "x"
  run fp m
  assert_failure 67
  assert_output --partial 'no forum is named "nosuch"'
  echo x | mail m a@example.org "person@elsewhere.org" "x"
  run fp --address '{forum}@forum.example.org' m
  assert_failure 67
  assert_output --partial "no recipient is a forum address"
  run fp --address '{forum}@forum.example.org' -r linux@forum.example.org m
  assert_success
  [ "$(sql 'SELECT COUNT(*) FROM agora_linux')" = 1 ]
  run fp --exit-codes qmail -r nosuch@x m
  assert_failure 100
}

@test "policies: members refuses strangers and users without write right (77); moderated hides" {
  sql "INSERT INTO agora_users (userid, useraddress) VALUES ('amelie', 'amelie@example.org'), ('bob', 'bob@example.org');
       INSERT INTO agora_userforum (userid, bn_name, writepriv) VALUES ('amelie', 'linux', 1), ('bob', 'linux', 0)"
  echo hi | mail m stranger@example.org linux@x "hello"
  run fp --forum-policy linux=members m
  assert_failure 77
  assert_output --partial "not a member of linux"
  echo hi | mail m "Bob <BOB@example.org>" linux@x "hello"
  run fp --forum-policy linux=members m
  assert_failure 77
  assert_output --partial "bob may not write to linux"
  run fp --forum-policy linux=members "$D/latin1.eml"
  assert_success
  [ "$(sql 'SELECT userid, hidden FROM agora_linux')" = "amelie	0" ]
  [ "$(sql 'SELECT totalpost FROM agora_userforum WHERE userid = "amelie"')" = 1 ]
  echo hi | mail m stranger@example.org linux@x "to moderate"
  fp --policy moderated m
  [ "$(sql 'SELECT userid, hidden FROM agora_linux WHERE cle = 2')" = "stranger (guest)	1" ]
}

@test "auto-replies, bounces and loops are ignored with status 0, never posted" {
  echo away | mail m a@example.org linux@x "Out of Office: back Monday" "Auto-Submitted: auto-replied"
  run fp m
  assert_success
  assert_output --partial "outcome=ignored (auto-reply)"
  echo x | mail m MAILER-DAEMON@example.org linux@x "Undelivered Mail Returned to Sender"
  run fp m
  assert_success
  echo x | mail m a@example.org linux@x "x" "X-Loop: forum@example.org"
  run fp --loop forum@example.org m
  assert_success
  assert_output --partial "outcome=ignored (loop)"
  [ "$(sql 'SELECT COUNT(*) FROM agora_linux')" = 0 ]
}

@test "hostile input: SQL and HTML are stored inert; characters latin1 lacks become references" {
  printf '%s\n' "'); DROP TABLE agora_linux; --" "<script>alert(1)</script> <b onmouseover=x>b</b>" "→ 中文 €" |
    mail m "\"Robert'); DROP TABLE agora_users;--\" <r@example.org>" linux@x \
      "<img src=x onerror=alert(1)> ' OR '1'='1" "Message-ID: <'); DELETE FROM agora; --@x>"
  run fp m
  assert_success
  [ "$(sql 'SELECT COUNT(*) FROM agora_users')" = 0 ]
  [ "$(sql 'SELECT COUNT(*) FROM agora')" = 1 ]
  [ "$(sql 'SELECT subject FROM agora_linux')" = "&lt;img src=x onerror=alert(1)&gt; &#39; OR &#39;1&#39;=&#39;1" ]
  body=$(sql 'SELECT body FROM agora_linux')
  [[ $body != *"<script"* && $body != *"<b "* ]]
  [[ $body == *"&lt;script&gt;"* ]]
  [[ $body == *"&#8594; &#20013;&#25991; €"* ]]
  [ "$(sql 'SELECT userid FROM agora_linux')" = "Robert&#39;); DROP TABLE agora_users;-- (guest)" ]
  run fp --forum "x'; DROP TABLE agora; --" m
  assert_failure 67
  [ "$(sql 'SELECT COUNT(*) FROM agora')" = 1 ]
}

@test "--dry-run prints the writes and writes nothing" {
  run fp --dry-run "$D/latin1.eml"
  assert_success
  assert_output --partial "insert_post: INSERT INTO \`agora_linux\`"
  assert_output --partial "'Problème de montage NFS'"
  assert_output --partial "record_message: INSERT INTO \`agora_fg_messages\`"
  [ "$(sql 'SELECT COUNT(*) FROM agora_linux')" = 0 ]
  [ "$(sql 'SELECT COUNT(*) FROM agora_fg_messages')" = 0 ]
  # A message's control bytes are shown on the terminal, never sent to it.
  printf 'Escape \033]0;owned\007 and \033[2J here.\n' | mail m a@example.org linux@forum.example.org "=?utf-8?q?Bell=07_=1B[31m?="
  run fp --dry-run m
  assert_success
  [[ $output != *$'\033'* && $output != *$'\007'* ]] || fail "a control byte reached the terminal: $(cat -v <<< "$output")"
  assert_output --partial "Escape ^[]0;owned^G and ^[[2J here."
}

@test "--records takes what mimeparse writes" {
  mimeparse "$D/latin1.eml" "$D/reply.eml" | fp --records
  [ "$(sql 'SELECT cle, parent, thread FROM agora_linux ORDER BY cle' | tr '\t\n' ', ')" = "1,0,1 2,1,1 " ]
  run fp --records <<< '{"version": 9}'
  assert_failure 65
  assert_output --partial "version 9 is not supported"
  # A number that is not a whole number its field holds is refused, not cast.
  printf '%s\n' '{"version": 76666e77}' '{"version": 1, "size": -1}' > nums
  run fp --records nums
  assert_failure 65
  assert_line --partial "nums:1: not a post record: version must be a whole number from -2147483648 to 2147483647"
  assert_line --partial "nums:2: not a post record: size must be a whole number from 0 to 18446744073709551615"
  [ "$(sql 'SELECT COUNT(*) FROM agora_linux')" = 2 ]
}

@test "--records: a record with a line break in an id or an address is refused (65), the rest posted" {
  mimeparse "$D/latin1.eml" > good1
  mimeparse "$D/reply.eml" > good2
  # What would put a Bcc: into the confirmation's In-Reply-To:, and split
  # the log line in two.
  jq -c '.message_id = "<x@example.org>\nBcc: thief@evil.example" | .subject = "forged"' good1 > bad-id
  jq -c '.message_id = "<y@example.org>" | .from.address = "amelie@example.org\r\nBcc: thief@evil.example"' good1 > bad-from
  cat good1 bad-id bad-from good2 > records
  run fp --records records
  assert_failure 65
  assert_line --partial 'records:2: not a post record: message_id "<x@example.org>^JBcc: thief@evil.example" is not a message id'
  assert_line --partial 'records:3: not a post record: from.address "amelie@example.org^M^JBcc: thief@evil.example" is not an address'
  refute_line --regexp '^Bcc:'
  [ "$(sql 'SELECT COUNT(*) FROM agora_linux')" = 2 ]
  [ "$(sql "SELECT COUNT(*) FROM agora_linux WHERE subject = 'forged'")" = 0 ]
}

@test "--queue: done into cur/, refused into .failed/ with the reason, a summary line" {
  mkdir -p -m 700 q q/new q/cur q/tmp
  cp "$D/latin1.eml" q/new/1000000001.M1P1Q1.h
  echo x | mail q/new/1000000002.M1P1Q2.h a@example.org nosuch@x "lost"
  cp "$D/reply.eml" q/new/1000000003.M1P1Q3.h
  cp "$D/latin1.eml" q/new/1000000004.M1P1Q4.h
  run fp --queue q
  assert_success
  assert_output --partial "q: 4 taken, 2 posted, 1 duplicates, 0 ignored, 0 subscriptions, 1 refused, 0 deferred"
  [ "$(ls q/new | wc -l)" = 0 ]
  [ "$(ls q/cur | wc -l)" = 3 ]
  run cat q/.failed/new/*
  assert_line --index 0 'X-Forumgate-Failure: 67 no forum is named "nosuch"'
  assert_line "Subject: lost"
}

# status NAME: the server's global status counter NAME (this file's server
# runs one test at a time).
status() { mariadb_sql -N -B -e "SHOW GLOBAL STATUS LIKE '$1'" | cut -f2; }

@test "--queue: counters are one UPDATE per forum and writer in a group, counting only what was posted" {
  sql "INSERT INTO agora_users (userid, useraddress) VALUES ('amelie', 'amelie@example.org'), ('bob', 'bob@example.org');
       INSERT INTO agora_userforum (userid, bn_name, writepriv) VALUES ('amelie', 'linux', 1), ('bob', 'linux', 1)"
  mkdir -p -m 700 q q/new q/cur q/tmp
  local i from reply
  for i in 1 2 3 4 5 6; do
    case $i in 1|3|4) from=amelie@example.org ;; 2|6) from=bob@example.org ;; 5) from=stranger@example.org ;; esac
    reply=X-No-Reply:
    [ "$i" -gt 2 ] && reply="In-Reply-To: <c1@example.org>"
    echo "text $i" | mail "q/new/100000000$i.M1P1Q$i.h" "$from" linux@forum.example.org "subject $i" \
      "Message-ID: <c$i@example.org>" "$reply"
  done
  local updates=$(status Com_update) savepoints=$(status Com_savepoint)
  # --commit-time: one group of six however slowly they come.
  run fp --forum-policy linux=members --queue q --commit-time 600000
  assert_success
  assert_output --partial "6 taken, 5 posted, 0 duplicates, 0 ignored, 0 subscriptions, 1 refused"
  # The two threads started (one start_thread), one forum, two writers.
  assert_equal "$(($(status Com_update) - updates))" 4
  assert_equal "$(sql 'SELECT cle, parent, thread FROM agora_linux ORDER BY cle' | tr '\t\n' ' ')" \
    "1 0 1 2 0 2 3 1 1 4 1 1 5 1 1 "
  # Refused before it wrote: no savepoint needed, none taken.
  assert_equal "$(($(status Com_savepoint) - savepoints))" 0
  assert_equal "$(sql 'SELECT totalnotes, totalthreads FROM agora')" "5	2"
  assert_equal "$(sql 'SELECT userid, totalpost, lastpost > 0 FROM agora_userforum ORDER BY userid')" \
    "$(printf 'amelie\t3\t1\nbob\t2\t1')"
  # A second run: the messages are in cur/, nothing changes.
  run fp --forum-policy linux=members --queue q
  assert_equal "$(sql 'SELECT SUM(totalpost) FROM agora_userforum')" 5
}

@test "one query finds a message's duplicate and its parent among many References" {
  echo a | mail m1 a@example.org linux@forum.example.org "first" "Message-ID: <r1@x>"
  echo b | mail m2 b@example.org linux@forum.example.org "Re: first" "Message-ID: <r2@x>" "In-Reply-To: <r1@x>"
  fp m1
  fp m2
  echo c | mail m3 c@example.org linux@forum.example.org "Re: first" "Message-ID: <r3@x>" \
    "In-Reply-To: <gone@x>" "References: <r1@x> <u1@x> <r2@x> <u2@x> <u3@x> <u4@x> <u5@x>"
  local executes=$(status Com_stmt_execute)
  run fp m3
  assert_success
  # The newest known References id is the parent: r2, not r1.
  assert_output --partial "outcome=posted post=3 thread=1"
  assert_equal "$(sql 'SELECT parent, thread FROM agora_linux WHERE cle = 3')" "2	1"
  # The schema check, find_forum, the forum's columns (information_schema),
  # find_user, find_message, insert_post, update_forum_counters,
  # record_message: the References cost no query each.
  assert_equal "$(($(status Com_stmt_execute) - executes))" 8
  run fp m3
  assert_output --partial "outcome=duplicate post=3 thread=1"
}

@test "--queue: keys looked up ahead, across groups and forums, find the same duplicates and parents" {
  sql "CREATE TABLE agora_bsd LIKE agora_linux;
       INSERT INTO agora (bn_name, bn_db, bn_title, descr, category) VALUES ('bsd', 'agora_bsd', 'BSD', '', 0)"
  echo p | mail m0 p@example.org linux@forum.example.org "s0" "Message-ID: <p1@x>"
  fp m0
  mkdir -p -m 700 q q/new q/cur q/tmp
  # Groups of four: each message's duplicate or parent is in the same
  # group, in one before (committed since it was looked up), or was
  # there before the run; bsd's messages come in between.
  local i=0 spec forum id headers
  for spec in "linux a1" "linux a2 In-Reply-To:<a1@x>" "bsd b1" "linux a3 In-Reply-To:<a2@x>" \
              "bsd b2 In-Reply-To:<b1@x>" "linux a1" "linux a4 In-Reply-To:<a3@x>" "linux a4" \
              "linux a5 In-Reply-To:<p1@x>" "linux p1" "bsd b2" "linux a6 References:<nothing@x>_<a4@x>"; do
    i=$((i + 1))
    read -r forum id headers <<< "$spec"
    headers=${headers//_/ }
    echo "text $i" | mail "q/new/10000000$((10 + i)).M1P1Q$i.h" "u$i@example.org" "$forum@forum.example.org" \
      "s$i" "Message-ID: <$id@x>" "${headers/:/: }"
  done
  run fp --queue q --commit-every 4
  assert_success
  assert_output --partial "12 taken, 8 posted, 4 duplicates, 0 ignored, 0 subscriptions, 0 refused, 0 deferred"
  refute_output --partial "rolled back"
  parents() {
    sql "SELECT c.subject, COALESCE(p.subject, '-') FROM agora_$1 c LEFT JOIN agora_$1 p ON p.cle = c.parent
         ORDER BY c.cle" | tr '\t\n' ': '
  }
  assert_equal "$(parents linux)" "s0:- s1:- s2:s1 s4:s2 s7:s4 s9:s0 s12:s7 "
  assert_equal "$(parents bsd)" "s3:- s5:s3 "
}

@test "--sql: a statement with more markers than values is a configuration error (78) that says so" {
  run fp --strict-config --sql "find_user=SELECT userid FROM agora_users WHERE useraddress = ? AND userid = ?" "$D/latin1.eml"
  assert_failure 78
  assert_output --partial "has 2 parameters, given 1"
  run fp --strict-config --sql "find_user=SELECT userid FROM agora_nosuch WHERE useraddress = ?" "$D/latin1.eml"
  assert_failure 78
  assert_output --partial "agora_nosuch' doesn't exist"
}

@test "the schema check names what is missing (78)" {
  sql "ALTER TABLE agora_users DROP COLUMN useraddress; DROP TABLE agora_fg_messages"
  run fp --strict-config "$D/latin1.eml"
  assert_failure 78
  assert_output --partial "column agora_users.useraddress"
  assert_output --partial "table agora_fg_messages"
}

@test "subscribing takes a confirmation from the address itself" {
  echo "please" | mail m "Amelie <amelie@example.org>" linux-subscribe@forum.example.org "subscribe" \
    "Message-ID: <sub1@example.org>"
  run fp --address '{forum}@forum.example.org' --sendmail "tee -a $T/sent" --loop forum@example.org m
  assert_success
  assert_output --partial "action=subscribe outcome=confirmation sent"
  grep -q '^To: amelie@example.org$' sent
  grep -q '^Auto-Submitted: auto-replied$' sent
  grep -q '^X-Loop: forum@example.org$' sent
  confirm=$(sed -n 's/^Reply-To: //p' sent)
  [[ $confirm == linux-confirm-*@forum.example.org ]]
  [ "$(sql 'SELECT COUNT(*) FROM agora_fg_subscriptions')" = 0 ]
  echo "yes" | mail m "Amelie <amelie@example.org>" "$confirm" "Re: Confirm"
  run fp --address '{forum}@forum.example.org' m
  assert_success
  assert_output --partial "outcome=subscribed"
  [ "$(sql 'SELECT bn_name, address FROM agora_fg_subscriptions')" = "linux	amelie@example.org" ]
  run fp --address '{forum}@forum.example.org' m   # the token is used up
  assert_failure 67
  [ "$(sql 'SELECT COUNT(*) FROM agora_linux')" = 0 ]
}

@test "attachments land where W-Agora keeps them, after the commit" {
  mkdir -p base/attachments
  fp --attachments-dir base "$D/multi.eml" -r linux@x
  [ "$(sql 'SELECT att_id, att_name, att_path, note_id FROM agora_attachments ORDER BY att_id' | tr '\t\n' ',;')" = \
    "1,résumé.pdf,attachments,1;2,passwd.txt,attachments,1;" ]
  cmp base/attachments/1.résumé.pdf <(python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 4)')
  [ "$(cat base/attachments/2.passwd.txt)" = "root:x:0:0" ]
  [ "$(ls -A base/attachments | wc -l)" = 2 ]
  # Only the types allowed, only up to the size allowed.
  sed 's/multi.3@/multi.4@/' "$D/multi.eml" > m4
  run fp --attachments-dir base --attachment-type text/plain m4 -r linux@x
  assert_output --partial "résumé.pdf not stored: type application/pdf is not allowed"
  sed 's/multi.3@/multi.5@/' "$D/multi.eml" > m5
  run fp --attachments-dir base --max-attachment 1000 m5 -r linux@x
  assert_output --partial "résumé.pdf not stored: 1024 bytes is over the limit"
  [ "$(sql 'SELECT COUNT(*) FROM agora_attachments')" = 4 ]   # the two passwd files came too
}

@test "an option file with a password that everyone may read is refused (78)" {
  printf '[client]\nsocket=%s\nuser=root\npassword=secret\ndatabase=%s\n' "$MDB_SOCK" "$DB" > open.cnf
  chmod 644 open.cnf
  run forumpost --strict-config --defaults-file open.cnf "$D/latin1.eml"
  assert_failure 78
  assert_output --partial "open.cnf holds a password and everyone may read it (mode 0644)"
  [ "$(sql 'SELECT COUNT(*) FROM agora_linux')" = 0 ]
  run forumpost --strict-config --defaults-file missing.cnf "$D/latin1.eml"
  assert_failure 78
  # 0640 (root and the MTA's group) is the documented way; writable by the
  # group is not.
  chmod 640 open.cnf
  run forumpost --strict-config --defaults-file open.cnf "$D/latin1.eml"
  refute_output --partial "mode 0640"
  assert_output --partial "Access denied"   # past the check, to the server (root has no password here)
  chmod 660 open.cnf
  run forumpost --strict-config --defaults-file open.cnf "$D/latin1.eml"
  assert_failure 78
  assert_output --partial "open.cnf may be changed by others than its owner (mode 0660): chmod 600"
}

@test "--queue: a forum table lacking a column keeps the message queued (75), not failed" {
  mkdir -p -m 700 q q/new q/cur q/tmp
  cp "$D/latin1.eml" q/new/1000000001.M1P1Q1.h
  sql "ALTER TABLE agora_linux DROP COLUMN summary"
  run fp --queue q
  assert_failure 75
  assert_output --partial "forum linux: the database lacks column agora_linux.summary"
  assert_output --partial "1 taken, 0 posted, 0 duplicates, 0 ignored, 0 subscriptions, 0 refused, 1 deferred"
  assert_file_exists q/new/1000000001.M1P1Q1.h
  [ ! -d q/.failed ] || [ -z "$(ls -A q/.failed/new)" ] || fail "the message went to .failed"
  sql "ALTER TABLE agora_linux ADD COLUMN summary VARCHAR(255) NOT NULL DEFAULT ''"
  run fp --queue q
  assert_success
  [ "$(sql 'SELECT COUNT(*) FROM agora_linux')" = 1 ]
}

@test "a queue others may enter is refused (78), nothing taken" {
  mkdir -p -m 750 q && mkdir q/new q/cur q/tmp
  cp "$D/latin1.eml" q/new/1000000001.M1P1Q1.h
  run fp --queue q
  assert_failure 78
  assert_output --partial "the queue q is open to others (mode 0750); a queue must be private: chmod 700 q"
  assert_file_exists q/new/1000000001.M1P1Q1.h
  [ "$(sql 'SELECT COUNT(*) FROM agora_linux')" = 0 ]
  chmod 700 q
  run fp --queue q
  assert_success
  [ "$(sql 'SELECT COUNT(*) FROM agora_linux')" = 1 ]
}

@test "a reply to a forum's mail about a web post joins that post's thread" {
  sql "INSERT INTO agora_linux (cle, parent, thread, subject, userid) VALUES (7, 0, 7, 'made on the web', 'webuser')"
  echo "replying by mail" | mail m a@example.org linux@x "Re: made on the web" \
    "Message-ID: <r@example.org>" "In-Reply-To: <7.linux@forum.example.org>"
  run fp --web-message-id '<{post}.{forum}@forum.example.org>' m
  assert_success
  [ "$(sql 'SELECT parent, thread FROM agora_linux WHERE cle = 8')" = "7	7" ]
  # Another forum's web post is no parent here.
  echo "x" | mail m a@example.org linux@x "Re: elsewhere" "Message-ID: <r2@example.org>" \
    "In-Reply-To: <7.kernel@forum.example.org>"
  fp --web-message-id '<{post}.{forum}@forum.example.org>' m
  [ "$(sql 'SELECT parent, thread FROM agora_linux WHERE cle = 9')" = "0	9" ]
}

@test "--require-auth posts only with a pass from our own authserv-id (77 otherwise)" {
  echo x | mail m "Amelie <amelie@example.org>" linux@x "signed" "Message-ID: <a1@example.org>" \
    "Authentication-Results: mx.forum.example.org; dkim=pass header.d=example.org; spf=pass"
  run fp --require-auth mx.forum.example.org m
  assert_success
  echo x | mail m "Amelie <amelie@example.org>" linux@x "forged" "Message-ID: <a2@example.org>" \
    "Authentication-Results: mx.forum.example.org; dkim=fail header.d=example.org" \
    "Authentication-Results: elsewhere.example; dmarc=pass"
  run fp --require-auth mx.forum.example.org m
  assert_failure 77
  assert_output --partial "no DMARC or DKIM pass for amelie@example.org from mx.forum.example.org"
  [ "$(sql 'SELECT subject FROM agora_linux')" = signed ]
}

@test "what is refused or ignored is kept, with why, for the administrator" {
  echo x | mail m a@example.org nosuch@x "lost" "Message-ID: <lost@x>"
  fp m || true
  echo away | mail m b@example.org linux@x "Out of Office" "Auto-Submitted: auto-replied"
  fp m
  fp "$D/latin1.eml"
  [ "$(sql 'SELECT bn_name, sender, message_id, reason FROM agora_fg_rejections ORDER BY id' | tr '\t' '|')" = \
    "nosuch|a@example.org|<lost@x>|refused: no forum is named \"nosuch\"
|b@example.org||ignored: auto-reply" ]
}

@test "review fixes: guests never pass for users, a .php is stored as what its type allows, odd ids are data" {
  sql "INSERT INTO agora_users (userid, useraddress) VALUES ('admin', 'root@forum.example.org')"
  mkdir -p base/attachments
  printf 'From: "<b>admin</b>" <x@evil.example>\nTo: linux@x\nSubject: s\nMessage-ID: <%s@x>\n' \
    "$(head -c 1200 /dev/zero | tr '\0' a)" > m
  printf 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nhi\n--b\n' >> m
  printf 'Content-Type: image/png; name="x.php.png"\nContent-Transfer-Encoding: base64\n\niVBORw0K\n--b--\n' >> m
  run fp --attachments-dir base m
  assert_success
  [ "$(sql 'SELECT userid FROM agora_linux')" = "&lt;b&gt;admin&lt;/b&gt; (guest)" ]
  [ "$(sql 'SELECT att_name FROM agora_attachments')" = "x_php.png" ]
  [ "$(ls base/attachments)" = "1.x_php.png" ]
  [ "$(sql 'SELECT LENGTH(message_id) FROM agora_fg_messages')" = 998 ]
  echo x | mail m2 "=?UTF-8?Q?=C5=81ukasz?= <l@x.pl>" linux@x "utf-8 name" "Message-ID: <l1@x.pl>"
  run fp m2
  assert_success
  [ "$(sql 'SELECT userid FROM agora_linux WHERE subject = "utf-8 name"')" = "&#321;ukasz (guest)" ]
  run fp --web-message-id '<web.{forum}@x>' m2
  assert_failure 64
  echo x | mail m3 "<a@x,b@y>" linux-subscribe@x "subscribe" "Message-ID: <s@x>"
  run fp --sendmail "tee -a sent" m3
  assert_failure 65
  assert_output --partial 'cannot send a confirmation to "a@x,b@y"'
  [ ! -e sent ]
}

@test "the command line is checked before the database: a broken one is 64 with the database down" {
  printf '[client]\nsocket=%s/nosuch.sock\n' "$T" > down.cnf
  chmod 600 down.cnf
  cp "$D/latin1.eml" a.eml
  cp "$D/latin1.eml" b.eml
  # The database down, a good command line: try again later.
  run forumpost --defaults-file down.cnf a.eml
  assert_failure 75
  run forumpost --defaults-file down.cnf a.eml b.eml
  assert_failure 64
  assert_output --partial "one message at a time"
  run forumpost --defaults-file down.cnf --action bogus a.eml
  assert_failure 64
  run forumpost --defaults-file down.cnf --web-message-id '<web@x>' a.eml
  assert_failure 64
  run forumpost --defaults-file down.cnf --forum-policy linux a.eml
  assert_failure 64
}

@test "--exit-codes qmail: every status is 0, 100 or 111, usage and configuration too" {
  printf '[client]\nsocket=%s/nosuch.sock\n' "$T" > down.cnf
  chmod 600 down.cnf
  run fp --exit-codes qmail --no-such-option "$D/latin1.eml"
  assert_failure 100
  run fp --exit-codes qmail "$D/latin1.eml" "$D/reply.eml"
  assert_failure 100
  run fp --exit-codes qmail --commit-every none "$D/latin1.eml"
  assert_failure 100
  run fp --exit-codes qmail --strict-config --policy nobody "$D/latin1.eml"
  assert_failure 100
  run fp --exit-codes qmail --policy nobody "$D/latin1.eml"
  assert_failure 111
  run fp --exit-codes qmail -r nosuch@forum.example.org "$D/latin1.eml"
  assert_failure 100
  run forumpost --defaults-file down.cnf --exit-codes qmail "$D/latin1.eml"
  assert_failure 111
  printf '[forumpost]\nexit-codes = qmail\npolicy = membres\n' > bad.conf
  run fp --config bad.conf --strict-config "$D/latin1.eml"
  assert_failure 100
  [ "$(sql 'SELECT COUNT(*) FROM agora_linux')" = 0 ]
  run fp --exit-codes qmail "$D/latin1.eml"
  assert_success
  [ "$(sql 'SELECT COUNT(*) FROM agora_linux')" = 1 ]
}

@test "one message from the MTA: what the administrator can fix is 75, so the mail waits; --strict-config 78" {
  printf '[forumpost]\npolicy = membres\n' > bad.conf
  run fp --config bad.conf "$D/latin1.eml"
  assert_failure 75
  assert_output --partial 'unknown sender policy "membres"'
  assert_output --partial "the message waits"
  run fp --config bad.conf --strict-config "$D/latin1.eml"
  assert_failure 78
  printf '[client]\nsocket=%s\nuser=root\npassword=secret\ndatabase=%s\n' "$MDB_SOCK" "$DB" > open.cnf
  chmod 644 open.cnf
  run forumpost --defaults-file open.cnf "$D/latin1.eml"
  assert_failure 75
  assert_output --partial "everyone may read it"
  sql "DROP TABLE agora_fg_messages"
  run fp "$D/latin1.eml"
  assert_failure 75
  assert_output --partial "table agora_fg_messages"
  run fp --strict-config "$D/latin1.eml"
  assert_failure 78
  # A queue or records are not the MTA's: the problem is said as it is.
  run fp --records <<< '{"version":1}'
  assert_failure 78
  [ "$(sql 'SELECT COUNT(*) FROM agora_linux')" = 0 ]
}

@test "our addresses come from --address, never from the message: a forged domain never gets the token" {
  # The victim's address in From, the attacker's domain in To.
  echo "please" | mail m "Victim <victim@example.org>" linux-subscribe@evil.example "subscribe" \
    "Message-ID: <forged@evil.example>"
  # A pattern with our domain: evil.example is no forum address.
  run fp --address '{forum}@forum.example.org' --no-notices --sendmail "tee -a $T/sent" m
  assert_failure 67
  [ ! -e sent ]
  # A pattern for any domain: confirmed, but only under ours (the local
  # MTA's own domain completes an address without one).
  run fp --sendmail "cat >> $T/sent" m
  assert_success
  [ "$(grep -c evil sent)" = 1 ]   # the In-Reply-To of the request only
  grep -q '^In-Reply-To: <forged@evil.example>$' sent
  grep -q '^From: linux$' sent
  grep -Eq '^Reply-To: linux-confirm-[0-9a-f]{32}$' sent
  grep -Eq '^  linux-confirm-[0-9a-f]{32}$' sent
  [ "$(sql 'SELECT COUNT(*) FROM agora_fg_confirmations')" = 1 ]
}

@test "the alias recipe (--forum, --action) confirms under the domain and prefix --address names" {
  echo "please" | mail m "Amelie <amelie@example.org>" someone@elsewhere.example "subscribe" \
    "Message-ID: <sub2@example.org>"
  run fp --forum linux --action subscribe --address 'forum-{forum}@lists.example.org' --sendmail "tee -a $T/sent" m
  assert_success
  grep -q '^From: forum-linux@lists.example.org$' sent
  confirm=$(sed -n 's/^Reply-To: //p' sent)
  [[ $confirm =~ ^forum-linux-confirm-[0-9a-f]{32}@lists.example.org$ ]] || fail "confirmation address: $confirm"
  # The address is one the pattern routes: the reply to it confirms.
  echo "yes" | mail m "Amelie <amelie@example.org>" "$confirm" "Re: Confirm"
  run fp --address 'forum-{forum}@lists.example.org' m
  assert_success
  assert_output --partial "outcome=subscribed"
  [ "$(sql 'SELECT bn_name, address FROM agora_fg_subscriptions')" = "linux	amelie@example.org" ]
}

@test "no value reaches our mail's header or the log unchecked, whichever door it came in by" {
  # A record: an id with a line break and a field after it.
  printf '%s\n' '{"version":1,"message_id":"<r1@x>\nBcc: spy@evil.example","from":{"name":"","address":"victim@example.org"},"recipient":"linux-subscribe@forum.example.org","subject":"s","text":"t","auto":"none"}' > rec
  run fp --sendmail "tee -a $T/sent" --records rec
  ! grep -qi '^Bcc' sent 2> /dev/null || fail "a Bcc: field reached the mail: $(cat sent)"
  refute_line --regexp '^Bcc'
  # A message: a bare CR and a NUL in its Message-ID.
  printf 'From: victim@example.org\nTo: linux-subscribe@forum.example.org\nSubject: s\nMessage-ID: <m1@x>\rBcc: spy@evil.example\n\nhi\n' > m1
  printf 'From: victim@example.org\nTo: linux-subscribe@forum.example.org\nSubject: s\nMessage-ID: <m2@x\0>\n\nhi\n' > m2
  for m in m1 m2; do
    run fp --sendmail "tee -a $T/sent" "$m"
    assert_success
    assert_output --partial "outcome=confirmation sent"
    refute_line --regexp '^Bcc'
  done
  [ "$(grep -c '^To: victim@example.org$' sent)" -ge 2 ]
  run grep -a -c $'\r\|^Bcc' sent
  assert_output 0
  run grep -a '^In-Reply-To' sent
  refute_line --regexp '^In-Reply-To: (.*[^!-~].*|<.*[<>].*>)$'

  # Options: our X-Loop and our addresses.
  run fp --loop $'forum@example.org\nBcc: spy@evil.example' --sendmail "tee -a $T/sent2" m1
  assert_failure 64
  run fp --strict-config --address $'{forum}@example.org\nBcc: spy@evil.example' --sendmail "tee -a $T/sent2" m1
  assert_failure 78
  [ ! -e sent2 ]
  run fp --forum $'linux\nBcc: x' m1
  assert_failure 67
  refute_line --regexp '^Bcc' 
}

@test "--queue: a directory, a FIFO or a link in new/ is skipped, never opened; the rest of the queue goes on" {
  mkdir -p -m 700 q q/new q/cur q/tmp
  cp "$D/latin1.eml" q/new/1000000001.M1P1Q1.h
  mkdir q/new/1000000002.M1P1Q1.h
  mkfifo q/new/1000000003.M1P1Q1.h
  ln -s "$D/latin1.eml" q/new/1000000004.M1P1Q1.h
  cp "$D/reply.eml" q/new/1000000005.M1P1Q1.h
  # A FIFO opened to be read would block for ever: the timeout ends that.
  run timeout 120 forumpost --defaults-file "$T/my.cnf" -r linux@forum.example.org --queue q
  assert_success
  assert_output --partial "2 taken, 2 posted, 0 duplicates, 0 ignored, 0 subscriptions, 0 refused, 0 deferred, 3 skipped"
  assert_output --partial "q/new/1000000003.M1P1Q1.h: not a regular file"
  [ "$(sql 'SELECT cle, parent, thread FROM agora_linux ORDER BY cle' | tr '\t\n' ', ')" = "1,0,1 2,1,1 " ]
  [ -d q/new/1000000002.M1P1Q1.h ]
  [ -p q/new/1000000003.M1P1Q1.h ]
  [ -L q/new/1000000004.M1P1Q1.h ]
  [ "$(ls q/cur | wc -l)" = 2 ]
}

@test "--queue: a message is logged as posted only once its group committed" {
  mkdir -p -m 700 q q/new q/cur q/tmp
  cp "$D/latin1.eml" q/new/1000000001.M1P1Q1.h
  cp "$D/reply.eml" q/new/1000000002.M1P1Q1.h
  # The group's Message-ID records are written at its commit: a deadlock
  # there loses the group.
  sql "CREATE TRIGGER lose BEFORE INSERT ON agora_fg_messages FOR EACH ROW
         SIGNAL SQLSTATE '40001' SET MYSQL_ERRNO = 1213, MESSAGE_TEXT = 'Deadlock found'"
  run fp -r linux@forum.example.org --queue q
  assert_failure 75
  refute_output --partial "outcome=posted"
  assert_output --partial "message-id=<20261123.1@example.org> from=<amelie@example.org> forum=linux action=post outcome=deferred"
  assert_output --partial "2 taken, 0 posted"
  [ "$(sql 'SELECT COUNT(*) FROM agora_linux')" = 0 ]
  [ "$(ls q/new | wc -l)" = 2 ]
  sql "DROP TRIGGER lose"
  run fp -r linux@forum.example.org --queue q
  assert_success
  assert_output --partial "message-id=<20261123.1@example.org> from=<amelie@example.org> forum=linux action=post outcome=posted post="
  [ "$(sql 'SELECT COUNT(*) FROM agora_linux')" = 2 ]
}

@test "--queue: when .failed/ cannot take a refused message, it stays queued (75) and the rest is posted" {
  mkdir -p -m 700 q q/new q/cur q/tmp
  cp "$D/latin1.eml" q/new/1000000001.M1P1Q1.h
  # Refused (no such forum), and larger than any file may grow here.
  { printf 'From: a@example.org\nTo: nosuch@forum.example.org\nSubject: big\nMessage-ID: <big@x>\n\n'
    head -c 200000 /dev/zero | tr '\0' x; echo; } > q/new/1000000002.M1P1Q1.h
  cp "$D/reply.eml" q/new/1000000003.M1P1Q1.h
  # Files may grow to 64 KiB at most, as on a full disk (EFBIG, not a signal).
  run bash -c 'trap "" XFSZ; ulimit -f 64; exec "$@"' - forumpost --defaults-file "$T/my.cnf" --queue q
  assert_failure 75
  assert_output --partial "q/new/1000000002.M1P1Q1.h stays queued: it cannot go into .failed/"
  assert_output --partial "3 taken, 2 posted, 0 duplicates, 0 ignored, 0 subscriptions, 0 refused, 1 deferred"
  [ "$(sql 'SELECT COUNT(*) FROM agora_linux')" = 2 ]
  assert_file_exists q/new/1000000002.M1P1Q1.h
  [ "$(find q/.failed -type f 2> /dev/null | wc -l)" = 0 ]
  # With room again, it goes where it belongs.
  run fp --queue q
  assert_success
  assert_output --partial "1 taken, 0 posted, 0 duplicates, 0 ignored, 0 subscriptions, 1 refused, 0 deferred"
  [ "$(ls q/new | wc -l)" = 0 ]
  [ "$(find q/.failed/new -type f | wc -l)" = 1 ]
}

@test "each column's own charset decides what is stored; a guest's long name keeps its marker" {
  sql "ALTER TABLE agora_linux MODIFY subject VARCHAR(255) CHARACTER SET utf8mb3 NOT NULL DEFAULT '',
         MODIFY body MEDIUMTEXT CHARACTER SET utf8mb4, MODIFY userid VARCHAR(64) CHARACTER SET ascii NOT NULL DEFAULT ''"
  printf 'Grinning \xf0\x9f\x98\x80 and \xe2\x82\xac\n' |
    mail m "=?UTF-8?Q?=C5=81ukasz?= <l@example.org>" linux@x "=?UTF-8?B?8J+YgCDigqwgw6k=?=" "Message-ID: <cs1@x>"
  run fp m
  assert_success
  # utf8mb3 holds the euro sign and é, not the emoji; utf8mb4 holds all;
  # ascii none of them; the summary is latin1 (the table's default).
  [ "$(sql 'SELECT subject FROM agora_linux')" = "&#128512; € é" ]
  [ "$(sql 'SELECT HEX(body) FROM agora_linux')" = "$(printf '<p>Grinning \xf0\x9f\x98\x80 and \xe2\x82\xac</p>' | xxd -p -u)" ]
  [ "$(sql 'SELECT summary FROM agora_linux')" = "Grinning &#128512; and €" ]
  [ "$(sql 'SELECT userid FROM agora_linux')" = "&#321;ukasz (guest)" ]
  # A name of 60 ampersands: escaped, it is 300 bytes; cut, it keeps the marker.
  echo x | mail m2 "\"$(printf '&%.0s' $(seq 60))\" <g@example.org>" linux@x "long name" "Message-ID: <cs2@x>"
  run fp m2
  assert_success
  [ "$(sql 'SELECT userid FROM agora_linux WHERE subject = "long name"')" = "$(printf '&amp;%.0s' $(seq 11)) (guest)" ]
}

@test "a refused sender gets one notice a day per reason, from the administrator's text or the built-in one" {
  n() { echo "hello" | mail "$1" "Bob <bob@example.org>" "$2" "$3" "Message-ID: <$4@example.org>"; }
  fpn() { fp --address '{forum}@forum.example.org' --loop forum@forum.example.org --sendmail "cat >> $T/sent" "$@"; }
  n m1 linux@forum.example.org "first try" n1
  run fpn --policy members m1
  assert_failure 77
  [ "$(grep -c '^To: bob@example.org$' sent)" = 1 ]
  grep -q '^From: linux@forum.example.org$' sent
  grep -q '^Subject: Not posted to linux: only its members may write$' sent
  grep -q '^Auto-Submitted: auto-replied$' sent
  grep -q '^X-Loop: forum@forum.example.org$' sent
  grep -q '^In-Reply-To: <n1@example.org>$' sent
  grep -q '^  Subject: first try$' sent
  grep -q '^bob@example.org is not the address of a member.$' sent
  # The same reason the same day: no second notice; another reason: one.
  n m2 linux@forum.example.org "second try" n2
  run fpn --policy members m2
  assert_failure 77
  [ "$(grep -c '^To: ' sent)" = 1 ]
  n m3 nosuch@forum.example.org "elsewhere" n3
  run fpn m3
  assert_failure 67
  [ "$(grep -c '^To: ' sent)" = 2 ]
  grep -q '^From: postmaster@forum.example.org$' sent
  grep -q '^  linux@forum.example.org$' sent   # the forums there are
  [ "$(sql 'SELECT address, reason FROM agora_fg_notices ORDER BY id' | tr '\t\n' ',;')" = \
    "bob@example.org,not-member;bob@example.org,unknown-forum;" ]
  # The administrator's texts: the forum's own first, then the general one.
  sql "DELETE FROM agora_fg_notices"
  mkdir -p texts/linux
  printf 'Subject: Pas publi\xc3\xa9 dans {forum}\n\nVotre message \xc2\xab {subject} \xc2\xbb n%sa pas \xc3\xa9t\xc3\xa9 publi\xc3\xa9.\n' "'" > texts/linux/not-member.txt
  printf 'Subject: Nothing for {recipient}\n\n{reason}\n' > texts/unknown-forum.txt
  : > sent
  run fpn --notice-dir texts --policy members m1
  run fpn --notice-dir texts m3
  grep -q '^Subject: =?UTF-8?B?UGFzIHB1Ymxpw6kgZGFucyBsaW51eA==?=$' sent
  grep -q '^Votre message « first try » n.a pas été publié.$' sent
  grep -q '^Subject: Nothing for nosuch@forum.example.org$' sent
  grep -q '^no forum is named "nosuch"$' sent
  # The off switch; and --dry-run shows the notice, sends and records nothing.
  sql "DELETE FROM agora_fg_notices"
  : > sent
  run fpn --no-notices --policy members m1
  assert_failure 77
  [ ! -s sent ]
  run fpn --dry-run --policy members m1
  assert_output --partial "notice: cat >> $T/sent"
  assert_output --partial "Subject: Not posted to linux: only its members may write"
  [ ! -s sent ]
  [ "$(sql 'SELECT COUNT(*) FROM agora_fg_notices')" = 0 ]
}

@test "no notice to a bounce, an auto-reply, a list, a loop, a null or robot sender, or a sender unchecked by --require-auth" {
  fpn() { fp --address '{forum}@forum.example.org' --loop forum@forum.example.org --sendmail "cat >> $T/sent" "$@"; }
  echo x | mail m1 "Bob <bob@example.org>" nosuch@forum.example.org "away" "Auto-Submitted: auto-replied"
  echo x | mail m2 "Bob <bob@example.org>" nosuch@forum.example.org "list" "List-Id: <l.example.org>"
  echo x | mail m3 "Bob <bob@example.org>" nosuch@forum.example.org "loop" "X-Loop: forum@forum.example.org"
  echo x | mail m4 "Bob <bob@example.org>" nosuch@forum.example.org "null" "Return-Path: <>"
  echo x | mail m5 "MAILER-DAEMON@example.org" nosuch@forum.example.org "robot"
  echo x | mail m6 "owner-list@example.org" nosuch@forum.example.org "robot"
  echo x | mail m7 "linux@forum.example.org" nosuch@forum.example.org "ours"
  for m in m1 m2 m3 m4 m5 m6 m7; do run fpn "$m"; done
  [ ! -e sent ] || fail "a notice went: $(cat sent)"
  # With --require-auth, only to a sender whose address passed.
  echo x | mail m8 "Bob <bob@example.org>" linux@forum.example.org "forged?" "Message-ID: <f1@example.org>"
  run fpn --require-auth mx.forum.example.org --policy members m8
  assert_failure 77
  [ ! -e sent ]
  echo x | mail m9 "Bob <bob@example.org>" linux@forum.example.org "signed" "Message-ID: <f2@example.org>" \
    "Authentication-Results: mx.forum.example.org; dmarc=pass header.from=example.org"
  run fpn --require-auth mx.forum.example.org --policy members m9
  assert_failure 77
  [ "$(grep -c '^To: bob@example.org$' sent)" = 1 ]
  [ "$(sql 'SELECT COUNT(*) FROM agora_linux')" = 0 ]
}

# flood DIR N SENDER_FORMAT: N messages in the queue DIR, the i-th from
# printf SENDER_FORMAT i.
flood() {
  mkdir -p -m 700 "$1" "$1/new" "$1/cur" "$1/tmp"
  local i
  for ((i = 1; i <= $2; i++)); do
    echo "post $i" | mail "$1/new/$((1000000000 + i)).M${i}P1Q1.h" "$(printf "$3" "$i")" linux@forum.example.org \
      "flood $i" "Message-ID: <flood.$i@example.org>"
  done
}

@test "100 messages from one sender in a minute: 20 posted, 20 wait, the rest hidden; none lost, none twice" {
  flood q 100 'flood@example.org'
  run fp --sender-limit 20 --sender-hide 40 --queue q
  assert_failure 75
  assert_output --partial "100 taken, 80 posted, 0 duplicates, 0 ignored, 0 subscriptions, 0 refused, 20 deferred"
  assert_output --partial "message-id=<flood.21@example.org> from=<flood@example.org> forum=linux action=post outcome=deferred (over the limit"
  assert_output --partial "message-id=<flood.41@example.org> from=<flood@example.org> forum=linux action=post outcome=posted post=21 thread=21 (hidden for moderation"
  [ "$(sql 'SELECT hidden, COUNT(*) FROM agora_linux GROUP BY hidden' | tr '\t\n' ',;')" = "0,20;1,60;" ]
  [ "$(sql 'SELECT MIN(subject), MAX(subject) FROM agora_linux WHERE hidden = 0' | tr '\t' ',')" = "flood 1,flood 9" ]
  [ "$(ls q/new | wc -l)" = 20 ]
  [ "$(sql "SELECT SUM(posts), SUM(waits) FROM agora_fg_rates WHERE scope = 'sender'" | tr '\t' ',')" = "80,20" ]
  # A new run, as after a restart: the counts hold, the waiting ones go
  # to the moderators; another sender is not held back.
  echo "hi" | mail q/new/2000000000.M1P2Q1.h other@example.org linux@forum.example.org "other" "Message-ID: <other@example.org>"
  run fp --sender-limit 20 --sender-hide 40 --queue q
  assert_success
  assert_output --partial "21 taken, 21 posted"
  [ "$(ls q/new | wc -l)" = 0 ]
  [ "$(sql 'SELECT hidden, COUNT(*) FROM agora_linux GROUP BY hidden' | tr '\t\n' ',;')" = "0,21;1,80;" ]
  [ "$(sql 'SELECT COUNT(DISTINCT subject), COUNT(*) FROM agora_linux' | tr '\t' ',')" = "101,101" ]
  [ "$(sql 'SELECT COUNT(DISTINCT message_id), COUNT(*) FROM agora_fg_messages' | tr '\t' ',')" = "101,101" ]
  [ "$(sql 'SELECT hidden FROM agora_linux WHERE subject = "other"')" = 0 ]
}

@test "a forum flooded from many senders: its limit holds, each sender's does not bite; one message from the MTA waits (75)" {
  flood q 60 'sender%d@example.org'
  run fp --sender-limit 5 --forum-limit 30 --forum-hide 50 --queue q
  assert_failure 75
  assert_output --partial "60 taken, 40 posted, 0 duplicates, 0 ignored, 0 subscriptions, 0 refused, 20 deferred"
  [ "$(sql 'SELECT hidden, COUNT(*) FROM agora_linux GROUP BY hidden' | tr '\t\n' ',;')" = "0,30;1,10;" ]
  run fp --sender-limit 5 --forum-limit 30 --forum-hide 50 --queue q
  assert_success
  [ "$(sql 'SELECT hidden, COUNT(*) FROM agora_linux GROUP BY hidden' | tr '\t\n' ',;')" = "0,30;1,30;" ]
  [ "$(sql 'SELECT COUNT(DISTINCT message_id) FROM agora_fg_messages')" = 60 ]
  [ "$(ls q/new | wc -l)" = 0 ]
  # One message at a time, as an MTA hands them: the second one waits.
  echo one | mail m1 solo@example.org linux@forum.example.org "solo 1" "Message-ID: <solo1@example.org>"
  echo two | mail m2 solo@example.org linux@forum.example.org "solo 2" "Message-ID: <solo2@example.org>"
  run fp --sender-limit 1 m1
  assert_success
  run fp --sender-limit 1 m2
  assert_failure 75
  assert_output --partial "over the limit of posts an hour"
  [ "$(sql 'SELECT COUNT(*) FROM agora_linux WHERE subject LIKE "solo%"')" = 1 ]
}

@test "--policy-service answers request after request, as forumpost decides the same cases" {
  sql "CREATE TABLE agora_talk LIKE agora_linux;
       INSERT INTO agora (bn_name, bn_db, bn_title, descr, category) VALUES ('talk', 'agora_talk', 'Talk', '', 0);
       INSERT INTO agora_users (userid, useraddress) VALUES ('amelie', 'amelie@example.org'), ('bob', 'bob@example.org');
       INSERT INTO agora_userforum (userid, bn_name, writepriv) VALUES ('amelie', 'linux', 1), ('bob', 'linux', 0)"
  opts=(--address '{forum}@forum.example.org' --forum-policy linux=members --sender-limit 1)
  # sender recipient what-both-say: each asked of the service, then the
  # message posted by forumpost; in this order (the flood sender's second).
  cases=(
    "bob@example.org nosuch@forum.example.org REJECT-5.1.1/67"
    "stranger@example.org linux@forum.example.org REJECT-5.7.1/77"
    "bob@example.org linux@forum.example.org REJECT-5.7.1/77"
    "amelie@example.org linux@forum.example.org DUNNO/0"
    "stranger@example.org talk@forum.example.org DUNNO/0"
    "stranger@example.org talk@forum.example.org DEFER_IF_PERMIT-4.7.1/75"
  )
  local i=0 c sender recipient want answer
  for c in "${cases[@]}"; do
    read -r sender recipient want <<< "$c"
    i=$((i + 1))
    answer=$(printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nsender=%s\nrecipient=%s\n\n' "$sender" "$recipient" |
      fp "${opts[@]}" --policy-service | sed -n 's/^action=\([A-Z_]*\) \([0-9.]*\) .*/\1-\2/p; s/^action=DUNNO$/DUNNO/p')
    echo hi | mail m "$sender" "$recipient" "case $i" "Message-ID: <case.$i@example.org>"
    run fp "${opts[@]}" m
    [ "$answer/$status" = "$want" ] || fail "$sender to $recipient: the service said $answer, forumpost $status; both should say $want"
  done
  # Request after request on one connection; what is not ours is DUNNO.
  run fp "${opts[@]}" --policy-service < <(
    printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nsender=a@example.org\nrecipient=nosuch@forum.example.org\n\n'
    printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nsender=a@example.org\nrecipient=postmaster@forum.example.org\n\n'
    printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nsender=a@example.org\nrecipient=someone@elsewhere.org\n\n'
    printf 'request=smtpd_access_policy\nprotocol_state=DATA\nsender=a@example.org\nrecipient=nosuch@forum.example.org\n\n'
    printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nsender=\nrecipient=linux-bounces+ghost=example.org@forum.example.org\n\n')
  assert_success
  assert_equal "$(grep -c '^action=' <<< "$output")" 5
  assert_line --index 0 'action=REJECT 5.1.1 no forum is named "nosuch"'
  [ "$(grep '^action=' <<< "$output" | tail -4 | sort -u)" = "action=DUNNO" ]
}

@test "--policy-service: the database down is DEFER_IF_PERMIT, never REJECT" {
  printf '[client]\nsocket=%s/nosuch.sock\n' "$T" > down.cnf
  chmod 600 down.cnf
  run forumpost --defaults-file down.cnf --address '{forum}@forum.example.org' --policy-service < <(
    printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nsender=a@example.org\nrecipient=nosuch@forum.example.org\n\n'
    printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nsender=a@example.org\nrecipient=linux@forum.example.org\n\n')
  assert_success
  [ "$(grep '^action=' <<< "$output" | sort -u)" = "action=DEFER_IF_PERMIT 4.3.0 the forum cannot be asked now" ]
  run forumpost --defaults-file down.cnf --policy-service m
  assert_failure 64
}

# dsn FILE RECIPIENT ACTION STATUS: a delivery status report (RFC 3464)
# from a mailer daemon about our mail to RECIPIENT.
dsn() {
  cat > "$1" <<MAIL
From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
To: linux-bounces+bob=example.net@forum.example.org
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn.$RANDOM@mx.example.net>
Date: Mon, 23 Nov 2026 12:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.
--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; $2
Action: $3
Status: $4

--B--
MAIL
}

@test "a bounce to the VERP address is counted for its subscriber, never posted or answered; at the limit the subscription is disabled" {
  sql "INSERT INTO agora_fg_subscriptions (bn_name, address, unixdate) VALUES ('linux', 'bob@example.net', 1), ('linux', 'carol@example.org', 1)"
  verp=linux-bounces+bob=example.net@forum.example.org
  # A forwarded address fails under another name: the VERP address says whose.
  dsn b1 bob@old.example.net failed 5.1.1
  run fp --bounce-limit 2 -r "$verp" --sendmail "sh -c 'cat > sent'" b1
  assert_success
  assert_output --partial "forum=linux action=bounce outcome=ignored (a bounce, counted for bob@example.net)"
  assert_equal "$(sql 'SELECT address, status, hard FROM agora_fg_bounces' | tr '\t' ' ')" "bob@example.net 5.1.1 1"
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_linux')" 0
  [ ! -e sent ] || fail "a bounce was answered: $(cat sent)"
  # The same day again: recorded, but a day counts once.
  run fp --bounce-limit 2 -r "$verp" b1
  assert_success
  assert_equal "$(sql 'SELECT disabled FROM agora_fg_subscriptions WHERE address = "bob@example.net"')" 0
  # A delay is recorded, not counted.
  sql "UPDATE agora_fg_bounces SET unixdate = unixdate - 86400"
  dsn b2 bob@example.net delayed 4.4.1
  run fp --bounce-limit 2 -r "$verp" b2
  assert_success
  assert_equal "$(sql 'SELECT status, hard FROM agora_fg_bounces ORDER BY id DESC LIMIT 1' | tr '\t' ' ')" "4.4.1 0"
  assert_equal "$(sql 'SELECT disabled FROM agora_fg_subscriptions WHERE address = "bob@example.net"')" 0
  # A hard bounce on a second day reaches the limit of 2.
  run fp --bounce-limit 2 -r "$verp" b1
  assert_success
  assert_output --partial "the subscription of bob@example.net is disabled"
  assert_equal "$(sql 'SELECT disabled > 0, disabled_reason FROM agora_fg_subscriptions WHERE address = "bob@example.net"' | tr '\t' ' ')" \
    "1 2 hard bounces in 7 days, the last 5.1.1"
  assert_equal "$(sql 'SELECT disabled FROM agora_fg_subscriptions WHERE address = "carol@example.org"')" 0
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_linux')" 0
}

@test "what comes to a VERP address and is no bounce, or is about no subscriber, counts nothing and is never posted" {
  sql "INSERT INTO agora_fg_subscriptions (bn_name, address, unixdate) VALUES ('linux', 'bob@example.net', 1)"
  echo "I am away." | mail v bob@example.net linux-bounces+bob=example.net@forum.example.org "Away" "Auto-Submitted: auto-replied"
  run fp v
  assert_success
  assert_output --partial "action=bounce outcome=ignored (to the bounce address, and not a bounce)"
  echo "Hello?" | mail p bob@example.net linux-bounces+bob=example.net@forum.example.org "A person"
  run fp p
  assert_success
  assert_output --partial "outcome=ignored (to the bounce address, and not a bounce)"
  # Routed by To: (no envelope recipient), for someone who is not subscribed.
  dsn g ghost@example.org failed 5.1.1
  sed -i 's/^To: .*/To: linux-bounces+ghost=example.org@forum.example.org/' g
  run fp g
  assert_success
  assert_output --partial "outcome=ignored (a bounce for no subscriber of linux)"
  # An old MTA's bounce without a report: the null sender and the VERP address.
  printf 'Return-Path: <>\nFrom: MAILER-DAEMON@old.example.net\nTo: linux-bounces+bob=example.net@forum.example.org\nSubject: failure notice\n\nSorry, no mailbox here.\n' > old
  run fp old
  assert_success
  assert_output --partial "(a bounce, counted for bob@example.net)"
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_fg_bounces')" 1
  assert_equal "$(sql 'SELECT hard FROM agora_fg_bounces')" 1
  # A post to the forum that names the bounce address in Cc is a post.
  echo "Reply all." | mail c bob@example.net linux@forum.example.org "Re: x" "Cc: linux-bounces+bob=example.net@forum.example.org"
  run fp c
  assert_success
  assert_output --partial "outcome=posted"
  # --dry-run prints the bounce's writes, and writes none.
  dsn b bob@example.net failed 5.1.1
  run fp --dry-run -r linux-bounces+bob=example.net@forum.example.org b
  assert_success
  assert_output --partial "record_bounce: INSERT INTO"
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_fg_bounces')" 1
}

# reply_key SECRET-FILE FORUM POST SUBSCRIBER: the key, computed here with
# Python's hmac from forum/reply_key.hpp's definition.
reply_key() {
  python3 - "$@" <<'PY'
import hashlib, hmac, sys
secret = open(sys.argv[1], 'rb').read().rstrip(b'\r\n')
data = b'\0'.join([b'forumgate reply key', sys.argv[2].lower().encode(), sys.argv[3].encode(), sys.argv[4].lower().encode()])
print(hmac.new(secret, data, hashlib.sha256).hexdigest()[:20])
PY
}

@test "a reply to a reply key that verifies for its sender is threaded under that post, headers or not; another key is a plain post" {
  head -c 32 /dev/urandom | base64 > secret
  chmod 600 secret
  echo one | mail m1 amelie@example.org linux@forum.example.org "First" "Message-ID: <t1@x>"
  echo two | mail m2 amelie@example.org linux@forum.example.org "Second" "Message-ID: <t2@x>"
  fp m1
  fp m2
  key=$(reply_key secret linux 1 Bob@Example.NET)
  [[ $key =~ ^[0-9a-f]{20}$ ]] || fail "no key: $key"
  # No In-Reply-To, no References: the key alone threads it under post 1.
  echo "Keyed." | mail r1 bob@example.net "linux+r1.$key@forum.example.org" "Re: First"
  run fp --reply-key-file secret r1
  assert_success
  assert_output --partial "forum=linux action=post outcome=posted post=3 thread=1"
  assert_equal "$(sql 'SELECT parent, thread FROM agora_linux WHERE cle = 3' | tr '\t' ' ')" "1 1"
  # The key names post 1 even when the header names post 2.
  echo "Keyed again." | mail r2 bob@example.net "linux+r1.$key@forum.example.org" "Re: First" "In-Reply-To: <t2@x>"
  run fp --reply-key-file secret r2
  assert_equal "$(sql 'SELECT parent FROM agora_linux WHERE cle = 4')" 1
  # Bob's key in Carol's reply, or a key for post 2 changed to say 1: a new thread.
  echo "Borrowed." | mail r3 carol@example.org "linux+r1.$key@forum.example.org" "Re: First"
  run fp --reply-key-file secret r3
  assert_success
  assert_output --partial "(the reply key does not verify for its sender: threaded by its header)"
  assert_equal "$(sql 'SELECT parent, thread FROM agora_linux WHERE cle = 5' | tr '\t' ' ')" "0 5"
  key2=$(reply_key secret linux 2 bob@example.net)
  echo "Forged." | mail r4 bob@example.net "linux+r1.$key2@forum.example.org" "Re: First"
  run fp --reply-key-file secret r4
  assert_output --partial "does not verify"
  assert_equal "$(sql 'SELECT parent FROM agora_linux WHERE cle = 6')" 0
  # Without the secret the key is not checked: threaded by the header.
  echo "No secret." | mail r5 bob@example.net "linux+r1.$key@forum.example.org" "Re: First" "In-Reply-To: <t2@x>"
  run fp r5
  assert_output --partial "(a reply key, and no --reply-key-file to verify it: threaded by its header)"
  assert_equal "$(sql 'SELECT parent FROM agora_linux WHERE cle = 7')" 2
  # A secret others may read is a configuration error: the message waits.
  chmod 644 secret
  run fp --reply-key-file secret r1
  assert_failure 75
  assert_output --partial "chmod 600"
  run fp --strict-config --reply-key-file secret r1
  assert_failure 78
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_linux')" 7
}

# inline_mail FILE ID: an HTML message showing two images by cid:, the
# second twice, and a PDF attached as well.
inline_mail() {
  cat > "$1" <<MAIL
From: Amélie <amelie@example.org>
To: linux@forum.example.org
Subject: Screens
Message-ID: <$2@example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="m"

--m
Content-Type: multipart/related; boundary="r"

--r
Content-Type: text/html; charset=UTF-8

<p>Before:<br><img src="cid:a1"><br>after:<br><img src="cid:b2"><br>and again <img src="cid:b2"></p>
--r
Content-Type: image/png; name="before.png"
Content-Disposition: inline; filename="before.png"
Content-Transfer-Encoding: base64
Content-ID: <a1>

iVBORw0KGgo=
--r
Content-Type: image/png; name="after shot.png"
Content-Disposition: inline; filename="after shot.png"
Content-Transfer-Encoding: base64
Content-ID: <b2>

iVBORw0KGgo=
--r--
--m
Content-Type: application/pdf; name="notes.pdf"
Content-Disposition: attachment; filename="notes.pdf"
Content-Transfer-Encoding: base64

JVBERi0=
--m--
MAIL
}

@test "an inline image's place in the post links to its stored file with --attachments-url; without it, or unstored, its words stay" {
  mkdir -p base/attachments
  inline_mail m1 i1
  run fp --attachments-dir base --attachments-url https://forum.example.org/files/ m1
  assert_success
  assert_equal "$(sql 'SELECT att_id, att_name FROM agora_attachments ORDER BY att_id' | tr '\t\n' ',;')" \
    "1,before.png;2,after shot.png;3,notes.pdf;"
  body=$(sql 'SELECT body FROM agora_linux WHERE cle = 1')
  a1='<a href="https://forum.example.org/files/attachments/1.before.png">[image: before.png]</a>'
  b2='<a href="https://forum.example.org/files/attachments/2.after%20shot.png">[image: after shot.png]</a>'
  [[ $body == *"Before:"*"$a1"*"after:"*"$b2"*"and again $b2"* ]] || fail "the body is: $body"
  [[ $body != *notes.pdf* ]] || fail "an attachment the body did not show is linked: $body"
  cmp base/attachments/1.before.png <(base64 -d <<< iVBORw0KGgo=)
  # Without the URL the words stay words.
  inline_mail m2 i2
  fp --attachments-dir base m2
  body=$(sql 'SELECT body FROM agora_linux WHERE cle = 2')
  [[ $body == *"[image: before.png]"* && $body != *"<a href"* ]] || fail "the body is: $body"
  # An image whose type is not stored keeps its words; the others link.
  inline_mail m3 i3
  fp --attachments-dir base --attachments-url https://forum.example.org/files --attachment-type application/pdf m3
  body=$(sql 'SELECT body FROM agora_linux WHERE cle = 3')
  [[ $body == *"[image: before.png]"* && $body != *"<a href"* ]] || fail "the body is: $body"
  # A URL that would break out of the attribute is refused (64).
  run fp --attachments-dir base --attachments-url 'https://x/" onclick="y' m1
  assert_failure 64
  run fp --attachments-url https://x m1
  assert_failure 64
  assert_output --partial "give both"
}
