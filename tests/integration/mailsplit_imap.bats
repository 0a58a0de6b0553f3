#!/usr/bin/env bats
# mailsplit against a real IMAP server: a private Dovecot (tests/lib/dovecot.bash)
# on 127.0.0.1, the password in a netrc file.

load ../lib/common
load ../lib/dovecot

setup() {
  common_setup
  [ "$(id -u)" -eq 0 ] || skip "needs root to run a private Dovecot"
  [ -x /usr/lib/dovecot/imap ] || fail "dovecot-imapd is not installed (scripts/deps test)"
  dovecot_start "$T" alice 'open-sesame'
  dovecot_netrc "$T/netrc" 'open-sesame'
  export MAILSPLIT_NETRC=$T/netrc
  URL=imap://alice@127.0.0.1:$DC_IMAP_PORT/
  # Lines an IMAP client could take for responses ("* 1 FETCH", a tagged
  # "A004 OK"), a From_ line in a body, and a message without a final newline.
  printf 'From: a@example.org\nSubject: one\nMessage-ID: <1@example.org>\n\nFirst.\n* 1 FETCH (UID 9)\nA004 OK done\n.\n' > msg1
  printf 'From: b@example.org\nSubject: two\nMessage-ID: <2@example.org>\n\nForwarded:\nFrom c@example.org Mon Nov 23 09:00:00 2026\n>From quoted\n' > msg2
  printf 'From: e@example.org\nSubject: three\nMessage-ID: <3@example.org>\n\nno final newline' > msg3
}
teardown() {
  dovecot_stop
  common_teardown
}

# The queue's messages, oldest first.
queue_files() { ls "$1"/new | sort | sed "s|^|$1/new/|"; }

# The Message-IDs in a queue, one per line, sorted, duplicates kept.
queue_ids() { cat "$1"/new/* 2>/dev/null | sed -n 's/^Message-ID: //p' | sort; }

@test "three messages are taken byte for byte, unseen, and stay on the server without --drain" {
  dovecot_deliver msg1 msg2 msg3
  run mailsplit --count "$URL"
  assert_success
  assert_output 3
  run mailsplit "$URL" queue
  assert_success
  local files=($(queue_files queue))
  assert_equal "${#files[@]}" 3
  for i in 1 2 3; do
    # IMAP sends the message as stored, CRLF for LF: no newline is added.
    cmp "${files[$((i - 1))]}" "msg$i" || fail "message $i differs"
  done
  assert_equal "$(dovecot_count)" 3
  # Taking a message must not mark it read (\Seen is Maildir flag S).
  run dovecot_flags
  refute_output --partial S
  assert_equal "$(ls "$DC_MAILDIR"/cur | wc -l)" 3
}

@test "a second run into the same queue takes nothing again; into another queue, all" {
  dovecot_deliver msg1 msg2
  run mailsplit "$URL" queue
  assert_success
  dovecot_deliver msg3
  run mailsplit "$URL" queue
  assert_success
  assert_equal "$(queue_ids queue)" "$(printf '<1@example.org>\n<2@example.org>\n<3@example.org>')"
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
  # Nothing left on record: the server confirmed the deletion.
  run grep -c '^uid ' queue/mailsplit-uids.imap.alice@127.0.0.1:"$DC_IMAP_PORT"%2FINBOX
  assert_output 0
}

@test "300 messages: listed and expunged a few at a time, all taken once" {
  # One response of 300 lines is more than libcurl 7.88 takes from a
  # custom command ("Too large response headers").
  local i
  mkdir many
  for i in $(seq 1 300); do
    printf 'From: s@example.org\nSubject: number %d\nMessage-ID: <%d@example.org>\n\n%d\n' "$i" "$i" "$i" > "many/$i"
  done
  dovecot_deliver many/*
  run mailsplit --drain "$URL" queue
  assert_success
  assert_equal "$(queue_ids queue | sort -u | wc -l)" 300
  assert_equal "$(ls queue/new | wc -l)" 300
  assert_equal "$(dovecot_count)" 0
}

@test "a mailbox other than INBOX: only its messages" {
  dovecot_deliver msg1
  dovecot_folder forum
  DC_MAILDIR=$DC_MAILDIR/.forum dovecot_deliver msg2 msg3
  run mailsplit --drain "${URL}forum" queue
  assert_success
  assert_equal "$(queue_ids queue)" "$(printf '<2@example.org>\n<3@example.org>')"
  assert_equal "$(find "$DC_MAILDIR/.forum/new" "$DC_MAILDIR/.forum/cur" -type f | wc -l)" 0
  assert_equal "$(dovecot_count)" 1
}

@test "a mailbox named in UTF-8 with a blank and an ampersand: the server gets modified UTF-7" {
  dovecot_deliver msg1
  # "Forën & Co" in RFC 3501's modified UTF-7, worked out by hand: U+00EB
  # is 00 EB in UTF-16, base64 "AOs"; "&" is "&-". Dovecot's Maildir++
  # keeps the folder under that name.
  dovecot_folder 'For&AOs-n &- Co'
  DC_MAILDIR="$DC_MAILDIR/.For&AOs-n &- Co" dovecot_deliver msg2 msg3
  local url="${URL}For%C3%ABn%20%26%20Co"
  run spoolcheck -c "$url"
  assert_success
  assert_output "2 $url"
  run mailsplit --drain "$url" queue
  assert_success
  assert_equal "$(queue_ids queue)" "$(printf '<2@example.org>\n<3@example.org>')"
  assert_equal "$(find "$DC_MAILDIR/.For&AOs-n &- Co/new" "$DC_MAILDIR/.For&AOs-n &- Co/cur" -type f | wc -l)" 0
  assert_equal "$(dovecot_count)" 1
  run mailsplit --count "${URL}%FF"
  assert_equal "$status" 64
  assert_output --partial "not UTF-8"
}

@test "no such mailbox: 66, and the queue gets nothing" {
  dovecot_deliver msg1
  run mailsplit --drain "${URL}nowhere" queue
  assert_equal "$status" 66
  assert_output --partial nowhere
  assert_equal "$(ls queue/new 2>/dev/null | wc -l)" 0
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

@test "the netrc file comes from MAILSPLIT_NETRC, else ~/.netrc" {
  dovecot_deliver msg1
  mkdir home
  dovecot_netrc home/.netrc 'open-sesame'
  HOME=$T/home MAILSPLIT_NETRC= run mailsplit --count "$URL"
  assert_success
  assert_output 1
  # A wrong ~/.netrc loses to a right MAILSPLIT_NETRC...
  dovecot_netrc home/.netrc 'wrong'
  HOME=$T/home run mailsplit --count "$URL"
  assert_success
  # ...and is used without it.
  HOME=$T/home MAILSPLIT_NETRC= run mailsplit --count "$URL"
  assert_equal "$status" 77
  # A MAILSPLIT_NETRC that cannot be read: 66.
  MAILSPLIT_NETRC=$T/missing run mailsplit --count "$URL"
  assert_equal "$status" 66
  # One that others may read or change: 78, whichever names it.
  chmod 640 home/.netrc
  HOME=$T/home MAILSPLIT_NETRC= run mailsplit --count "$URL"
  assert_equal "$status" 78
  assert_output "mailsplit: the netrc file $T/home/.netrc holds passwords and others may read or change it (mode 0640): chmod 600 $T/home/.netrc"
  chmod 602 "$T/netrc"
  run mailsplit --count "$URL"
  assert_equal "$status" 78
  assert_output --partial "(mode 0602)"
}

@test "no server on the port: 75, try again later" {
  local port
  port=$(free_port)
  run mailsplit --count "imap://alice@127.0.0.1:$port/"
  assert_equal "$status" 75
  assert_output --partial 'try again later'
}

@test "a password in the URL: 64, and nothing is fetched" {
  dovecot_deliver msg1
  run mailsplit --drain "imap://alice:open-sesame@127.0.0.1:$DC_IMAP_PORT/" queue
  assert_equal "$status" 64
  assert_output --partial 'netrc'
  assert_equal "$(dovecot_count)" 1
  run mailsplit --drain "imap://alice@127.0.0.1:$DC_IMAP_PORT/INBOX;UID=1" queue
  assert_equal "$status" 64
  assert_equal "$(dovecot_count)" 1
}

@test "the session cut at UID STORE: 75, and the next run yields no duplicate" {
  dovecot_deliver msg1 msg2 msg3
  cutting_proxy "$DC_IMAP_PORT" '^[A-Za-z0-9]+ UID STORE' cut
  URL=imap://alice@127.0.0.1:$PROXY_PORT/
  run mailsplit --drain "$URL" queue
  assert_equal "$status" 75
  assert_file_exists "$PROXY_HIT"
  assert_output --partial 'the next run deletes them'
  # Committed before the cut: all three in the queue, all three still on the server.
  assert_equal "$(ls queue/new | wc -l)" 3
  assert_equal "$(dovecot_count)" 3
  # Without the record, a run would take all three again (the check can fail).
  cp -a queue forgetful
  rm forgetful/mailsplit-uids.imap.*
  run mailsplit "$URL" forgetful
  assert_success
  assert_equal "$(ls forgetful/new | wc -l)" 6
  # With it: nothing taken twice, and the drain finished.
  run mailsplit -v --drain "$URL" queue
  assert_success
  assert_output --partial '0 taken, 3 in the queue already, drained'
  assert_equal "$(queue_ids queue)" "$(printf '<1@example.org>\n<2@example.org>\n<3@example.org>')"
  assert_equal "$(dovecot_count)" 0
}

@test "mailsplit killed between UID STORE and UID EXPUNGE: the next run yields no duplicate" {
  dovecot_deliver msg1 msg2 msg3
  cutting_proxy "$DC_IMAP_PORT" '^[A-Za-z0-9]+ (UID )?EXPUNGE' hold
  URL=imap://alice@127.0.0.1:$PROXY_PORT/
  bg mailsplit --drain "$URL" queue
  local pid=$BG_PID
  wait_for_file "$PROXY_HIT"
  kill -9 "$pid"
  wait_status "$pid"
  assert_equal "$status" 137
  assert_equal "$(ls queue/new | wc -l)" 3
  # Marked \Deleted (Maildir flag T), not expunged.
  assert_equal "$(dovecot_count)" 3
  assert_equal "$(dovecot_flags | grep -c T)" 3
  run mailsplit --drain "$URL" queue
  assert_success
  assert_equal "$(queue_ids queue)" "$(printf '<1@example.org>\n<2@example.org>\n<3@example.org>')"
  assert_equal "$(dovecot_count)" 0
}

@test "a new UIDVALIDITY voids the record: a message that reuses a UID is taken, not deleted" {
  dovecot_deliver msg1
  run mailsplit "$URL" queue
  assert_success
  grep -qx 'uid 1' queue/mailsplit-uids.imap.* || fail "UID 1 is not on record"
  # msg1 goes; Dovecot forgets its UIDs (dovecot-uidlist and index hold
  # them) and numbers the mailbox afresh, under a new UIDVALIDITY (a time
  # in seconds): msg2 gets UID 1.
  rm -f "$DC_MAILDIR"/new/* "$DC_MAILDIR"/cur/* "$DC_MAILDIR"/dovecot*
  sleep 1.1
  dovecot_deliver msg2
  run mailsplit --drain "$URL" queue
  assert_success
  assert_equal "$(queue_ids queue)" "$(printf '<1@example.org>\n<2@example.org>')"
  assert_equal "$(dovecot_count)" 0
  assert_output --partial 'UIDVALIDITY'
}
