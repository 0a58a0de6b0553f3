#!/usr/bin/env bats
# forumpost's promise, tried against a real MariaDB: every message posted
# exactly once or still queued, whatever happens: the server stopped in the
# middle of a queue, forumpost killed at random moments, ten deliveries of
# one message at the same time, bodies too big or not text at all.
#
# FORUMGATE_KILL_TRIALS (default 200) sets the number of kill -9 trials.

load ../lib/common
load ../lib/mariadb

setup_file() {
  mariadb_start "$BATS_FILE_TMPDIR"
  export MDB_DIR MDB_SOCK MDB_PID
}

# A test may have restarted the server: its pid is in the pid file.
teardown_file() {
  MDB_PID=$(cat "$MDB_DIR/pid" 2>/dev/null || echo "$MDB_PID")
  mariadb_stop
}

setup() {
  common_setup
  # The server may have been restarted by an earlier test.
  MDB_PID=$(cat "$MDB_DIR/pid")
  DB=s$BATS_TEST_NUMBER
  mariadb_load_wagora "$DB"
  mariadb_defaults "$T/my.cnf" "$DB"
}

teardown() {
  # A test that failed with the server stopped leaves it running again.
  mariadb-admin --no-defaults -S "$MDB_SOCK" -u root ping >/dev/null 2>&1 ||
    mariadb_start "$BATS_FILE_TMPDIR"
  common_teardown
}

fp() { forumpost --defaults-file "$T/my.cnf" "$@"; }
sql() { mariadb_sql -N -B "$DB" -e "$1"; }

# make_queue DIR N TAG: a queue Maildir whose new/ holds N messages, in
# delivery order, Message-ID <TAG.I@test> and subject "TAG-I"; every third
# starts a thread, the others reply to the one before.
make_queue() {
  mkdir -p -m 700 "$1" "$1/new" "$1/cur" "$1/tmp"
  awk -v dir="$1/new" -v n="$2" -v tag="$3" 'BEGIN {
    for (i = 1; i <= n; i++) {
      f = sprintf("%s/%d.M%dP1Q%d.test", dir, 1700000000 + i, i, i)
      printf "From: User %d <user%d@example.org>\nTo: linux@forum.example.org\n", i % 7, i % 7 > f
      printf "Subject: %s-%d\nDate: Mon, 23 Nov 2026 12:00:00 +0000\nMessage-ID: <%s.%d@test>\n", tag, i, tag, i > f
      if (i % 3 != 1) printf "In-Reply-To: <%s.%d@test>\n", tag, i - 1 > f
      printf "\nMessage %d of %s.\n", i, tag > f
      close(f)
    }
  }'
}

# count DIR: the files in DIR.
count() { find "$1" -maxdepth 1 -type f | wc -l; }

# A summary line's counts, e.g. "40 taken, 12 posted, ...".
summary() { sed -n 's/^forumpost: [^:]*: \([0-9]* taken.*\)/\1/p' <<< "$1"; }

# After a run that stopped early: whatever left new/ is posted, every post
# has its Message-ID record, and no subject is there twice.
assert_consistent() {  # QUEUE N TAG
  local posted records twice
  posted=$(sql "SELECT COUNT(*) FROM agora_linux WHERE subject LIKE '$3-%'")
  records=$(sql "SELECT COUNT(*) FROM agora_fg_messages WHERE message_id LIKE '<$3.%'")
  twice=$(sql "SELECT COUNT(*) FROM (SELECT subject FROM agora_linux GROUP BY subject HAVING COUNT(*) > 1) d")
  assert_equal "$records" "$posted"
  assert_equal "$twice" 0
  assert_equal "$(($(count "$1/new") + $(count "$1/cur")))" "$2"
  [ "$posted" -ge "$(count "$1/cur")" ] || fail "$1/cur has messages that are not posted"
  [ "$posted" -le "$2" ]
}

# wait_for_sleeping_statement: until a statement of this test's database
# sleeps in the server (a trigger's SLEEP), up to two minutes.
wait_for_sleeping_statement() {
  local i
  for ((i = 0; i < 1200; i++)); do
    [ "$(sql "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = '$DB' AND STATE = 'User sleep'")" = 1 ] &&
      return 0
    sleep 0.1
  done
  fail "no statement of $DB came to sleep in the server"
}

# The server stops while a queue is being posted. run_stopped QUEUE
# [OPTIONS]: forumpost --queue, whose 150th post waits in the server (a
# trigger), so that the first group of 100 is committed and the next is
# open, whatever the machine's speed; then forumpost paused (SIGSTOP), the
# server stopped, forumpost let go; status and output as run's. The server
# is started again, without the trigger, by restart_server.
run_stopped() {
  local q=$1
  shift
  mariadb_sql "$DB" <<'SQL'
DELIMITER //
CREATE TRIGGER slow BEFORE INSERT ON agora_linux FOR EACH ROW BEGIN
  IF NEW.subject LIKE '%-150' THEN DO SLEEP(600); END IF;
END//
DELIMITER ;
SQL
  forumpost --defaults-file "$T/my.cnf" -q --queue "$q" "$@" > out 2>&1 &
  local pid=$!
  wait_for_sleeping_statement
  kill -STOP "$pid" || fail "forumpost ended before the server could be stopped"
  mariadb_stop
  kill -CONT "$pid"
  wait_status "$pid"
  output=$(cat out)
}

restart_server() {
  mariadb_start "$BATS_FILE_TMPDIR"
  sql "DROP TRIGGER IF EXISTS slow"
}

@test "the server stops mid-queue: 75, the rest kept; restarted, each posted exactly once" {
  local n=600
  make_queue q "$n" down
  run_stopped q
  assert_equal "$status" 75
  assert_output --partial "deferred"
  [ ! -e q/.failed ] || fail "a message was refused for a stopped server: $(head -1 q/.failed/new/*)"
  left=$(count q/new)
  [ "$left" -gt 0 ]
  # Each message still queued was deferred (some in flight may have been
  # committed just before: they come back as duplicates).
  [[ $(summary "$output") == "$n taken, "*", 0 refused, $left deferred" ]] || fail "summary: $(summary "$output")"

  restart_server
  assert_consistent q "$n" down
  run fp --queue q
  assert_success
  assert_equal "$(count q/new)" 0
  assert_equal "$(count q/cur)" "$n"
  assert_equal "$(sql 'SELECT COUNT(*), COUNT(DISTINCT subject) FROM agora_linux')" "$n	$n"
  assert_equal "$(sql 'SELECT COUNT(*), COUNT(DISTINCT post_id) FROM agora_fg_messages')" "$n	$n"
  assert_equal "$(sql 'SELECT totalnotes FROM agora')" "$n"
  # Replies found their parents across the interruption.
  assert_equal "$(sql "SELECT COUNT(*) FROM agora_linux WHERE parent = 0")" "$(((n + 2) / 3))"
}

@test "--stop-on-tempfail: the first message that must wait ends the run" {
  local n=600
  make_queue q "$n" stop
  run_stopped q --stop-on-tempfail
  assert_equal "$status" 75
  s=$(summary "$output")
  taken=${s%% taken*}
  # It stopped there: the untaken ones were never tried. Deferred: the
  # message that failed and those of its group not yet committed.
  assert_equal "$taken" 150
  [[ $s == *", 0 refused, "* ]] || fail "summary: $s"
  deferred=${s##*refused, }
  deferred=${deferred%% deferred}
  [ "$deferred" -ge 1 ] && [ "$deferred" -le 100 ] || fail "$deferred deferred: more than one group (100)"
  assert_equal "$(count q/new)" "$((n - taken + deferred))"
  restart_server
  assert_consistent q "$n" stop
  fp -q --queue q
  assert_equal "$(count q/new)" 0
  assert_equal "$(sql 'SELECT COUNT(*), COUNT(DISTINCT subject) FROM agora_linux')" "$n	$n"
}

# A gate in the server, for a trigger to wait at: gate_close holds a user
# lock from a client of its own; a trigger's GET_LOCK('gate') waits there
# ("User lock" in the process list) until gate_open ends that client's
# session.
gate_close() {
  mariadb_sql -N -e "SELECT GET_LOCK('gate', 0); SELECT SLEEP(3600)" > /dev/null &
  GATE_PID=$!
  BG_PIDS="${BG_PIDS:-} $GATE_PID"
  local i
  for ((i = 0; i < 1200; i++)); do
    [ "$(mariadb_sql -N -B -e "SELECT IS_USED_LOCK('gate') IS NOT NULL")" = 1 ] && return 0
    sleep 0.1
  done
  fail "the gate's lock was not taken"
}
gate_open() {
  # The server ends the holder's session (a client that is gone would
  # hold it until its statement ends).
  mariadb_sql -e "KILL $(mariadb_sql -N -B -e "SELECT IS_USED_LOCK('gate')")"
  wait "$GATE_PID" 2>/dev/null || true
}
wait_at_gate() {
  local i
  for ((i = 0; i < 1200; i++)); do
    [ "$(sql "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = '$DB' AND STATE = 'User lock'")" = 1 ] &&
      return 0
    sleep 0.1
  done
  fail "no statement of $DB came to wait at the gate"
}

@test "SIGTERM mid-queue, with messages read ahead: 143 at the next message, the rest kept" {
  make_queue q 40 term
  # term-5's post waits at the gate, so that the signal lands while the
  # read-ahead thread holds the messages after it, however fast or slow
  # the machine.
  mariadb_sql "$DB" <<'SQL'
DELIMITER //
CREATE TRIGGER slow BEFORE INSERT ON agora_linux FOR EACH ROW BEGIN
  IF NEW.subject = 'term-5' THEN DO GET_LOCK('gate', 3600); DO RELEASE_LOCK('gate'); END IF;
END//
DELIMITER ;
SQL
  gate_close
  forumpost --defaults-file "$T/my.cnf" --queue q > out 2>&1 &
  local pid=$!
  wait_at_gate
  kill -TERM "$pid"
  gate_open
  wait_status "$pid"
  output=$(cat out)
  assert_equal "$status" 143
  # term-5 is done, then the run stops: its group committed, nothing after
  # it taken.
  assert_equal "$(summary "$output")" "5 taken, 5 posted, 0 duplicates, 0 ignored, 0 subscriptions, 0 refused, 0 deferred"
  assert_equal "$(count q/cur)" 5
  assert_equal "$(count q/new)" 35
  assert_consistent q 40 term
  run fp --queue q
  assert_success
  assert_equal "$(sql 'SELECT COUNT(*), COUNT(DISTINCT subject) FROM agora_linux')" "40	40"
}

@test "a message refused in the middle of a group undoes only its own writes" {
  make_queue q 9 grp
  # Its post, thread and counters are written when its Message-ID record fails.
  sql "ALTER TABLE agora_fg_messages ADD CONSTRAINT poison CHECK (message_id <> '<grp.5@test>')"
  run fp --queue q
  assert_success
  # Its record, written with the group's at the commit, is refused: the
  # group is rolled back and handed in again, each message undoable alone.
  assert_output --partial "the group is rolled back to find the message refused"
  assert_output --partial "grp.5@test> from=<user5@example.org> outcome=refused"
  assert_output --partial "9 taken, 8 posted, 0 duplicates, 0 ignored, 0 subscriptions, 1 refused, 0 deferred"
  grep -q '^Subject: grp-5$' q/.failed/new/*
  assert_equal "$(sql "SELECT COUNT(*) FROM agora_linux WHERE subject = 'grp-5'")" 0
  assert_equal "$(sql 'SELECT COUNT(*), COUNT(DISTINCT subject) FROM agora_linux')" "8	8"
  # 1, 4 and 7 start threads, and 6, whose parent is not there.
  assert_equal "$(sql 'SELECT totalnotes, totalthreads FROM agora')" "8	4"
  assert_equal "$(count q/cur)" 8
}

@test "a message refused after its first write rolls the group back: the others are posted once" {
  make_queue q 9 mid
  # A record_message of the user's is written with each message (not with
  # the group's): its post is written when its record is refused.
  sql "ALTER TABLE agora_fg_messages ADD CONSTRAINT poison CHECK (message_id <> '<mid.4@test>')"
  run fp --queue q --sql "record_message=INSERT INTO agora_fg_messages
    (bn_name, message_key, message_id, post_id, thread, unixdate) VALUES (?, ?, ?, ?, ?, ?)"
  assert_success
  # Said once its fate is known: the rollback first, then the refusal.
  assert_output --regexp "new/[^ ]*: the group is rolled back to undo this message: .*; the group is handed in again"
  refute_output --partial "outcome=deferred"
  assert_output --partial "mid.4@test> from=<user4@example.org> outcome=refused"
  assert_output --partial "9 taken, 8 posted, 0 duplicates, 0 ignored, 0 subscriptions, 1 refused, 0 deferred"
  assert_equal "$(sql "SELECT COUNT(*) FROM agora_linux WHERE subject = 'mid-4'")" 0
  assert_equal "$(sql 'SELECT COUNT(*), COUNT(DISTINCT subject) FROM agora_linux')" "8	8"
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_fg_messages')" 8
  # 1 and 7 start threads, and 5, whose parent is not there.
  assert_equal "$(sql 'SELECT totalnotes, totalthreads FROM agora')" "8	3"
  assert_equal "$(count q/cur)" 8
}

@test "a group committed in the middle of a replay (its 200 ms passed) loses nothing" {
  make_queue q 4 mid
  sql "ALTER TABLE agora_fg_messages ADD CONSTRAINT poison CHECK (message_id <> '<mid.4@test>')"
  # mid-2's post is slow when written again (a lock wait, a busy server):
  # the group's time runs out during the replay and it commits there.
  sql "CREATE TABLE slowlog (n INT) ENGINE=MyISAM"
  mariadb_sql "$DB" <<'SQL'
DELIMITER //
CREATE TRIGGER slow BEFORE INSERT ON agora_linux FOR EACH ROW BEGIN
  IF NEW.subject = 'mid-2' THEN
    IF (SELECT COUNT(*) FROM slowlog) = 1 THEN DO SLEEP(0.5); END IF;
    INSERT INTO slowlog VALUES (1);
  END IF;
END//
DELIMITER ;
SQL
  run fp --queue q --sql "record_message=INSERT INTO agora_fg_messages
    (bn_name, message_key, message_id, post_id, thread, unixdate) VALUES (?, ?, ?, ?, ?, ?)"
  assert_success
  assert_output --partial "4 taken, 3 posted, 0 duplicates, 0 ignored, 0 subscriptions, 1 refused, 0 deferred"
  assert_equal "$(sql 'SELECT GROUP_CONCAT(subject ORDER BY cle) FROM agora_linux')" "mid-1,mid-2,mid-3"
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_fg_messages')" 3
  assert_equal "$(count q/cur)" 3
}

@test "a subscription request commits its group: a record refused there replays the group first" {
  make_queue q 2 sub
  # The third: a request, whose confirmation token must be committed before
  # its mail goes, with the group's posts, whose second record is refused.
  printf 'From: a@example.org\nTo: linux-subscribe@forum.example.org\nSubject: sub\nMessage-ID: <sub.3@test>\n\nplease\n' \
    > q/new/1700000003.M3P1Q3.test
  sql "ALTER TABLE agora_fg_messages ADD CONSTRAINT poison CHECK (message_id <> '<sub.2@test>')"
  run fp --queue q --sendmail "tee -a $T/sent"
  assert_success
  assert_output --regexp "new/[^ ]*: the group is rolled back to find .*; the group is handed in again"
  refute_output --partial "outcome=deferred"
  assert_output --partial "sub.2@test> from=<user2@example.org> outcome=refused"
  assert_output --partial "3 taken, 1 posted, 0 duplicates, 0 ignored, 1 subscriptions, 1 refused, 0 deferred"
  assert_equal "$(sql 'SELECT subject FROM agora_linux')" "sub-1"
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_fg_confirmations')" 1
  assert_equal "$(grep -c '^Subject: Confirm' "$T/sent")" 1
  # Done: the post and the request in cur/, nothing left in new/.
  assert_equal "$(count q/cur)" 2
  assert_equal "$(count q/new)" 0
}

@test "the server down: one message from the MTA is 75 (111 for qmail), and waits" {
  make_queue q 1 pipe
  m=$(ls q/new/*)
  mariadb_stop
  run fp "$m"
  assert_failure 75
  assert_output --partial "database"
  run fp --exit-codes qmail "$m"
  assert_failure 111
  run fp --queue q
  assert_failure 75
  assert_equal "$(count q/new)" 1
  # The server crashes (SIGKILL) instead: the same.
  mariadb_start "$BATS_FILE_TMPDIR"
  kill -9 "$MDB_PID"
  wait "$MDB_PID" 2>/dev/null || true
  run fp "$m"
  assert_failure 75
  mariadb_start "$BATS_FILE_TMPDIR"
  run fp "$m"
  assert_success
  assert_output --partial "outcome=posted"
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_linux')" 1
}

# run_time_us CMD...: how long CMD takes from start to exit, in microseconds.
run_time_us() {
  local t0=${EPOCHREALTIME/./}
  "$@"
  echo $((${EPOCHREALTIME/./} - t0))
}

# undisturbed_us N TAG: the median of three undisturbed --queue runs over N
# messages on this machine now, in microseconds: the length across which
# the kills are drawn. Their posts are tagged TAG-1-…, TAG-2-…, TAG-3-….
undisturbed_us() {
  local i times=()
  for i in 1 2 3; do
    rm -rf cal && make_queue cal "$1" "$2-$i"
    times+=("$(run_time_us fp -q --queue cal)")
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 2p
}

@test "kill -9 at random moments during --queue: every message posted exactly once" {
  # The kill instants are drawn across the length of an undisturbed run,
  # measured on this machine first and again every 10 trials (the load may
  # change meanwhile): from before the connection to after the last rename.
  local trials=${FORUMGATE_KILL_TRIALS:-200} n=90 t cur posted in_flight=0 mid=0 length delay runs=0
  for ((t = 1; t <= trials; t++)); do
    if ((t % 10 == 1)); then
      length=$(undisturbed_us "$n" "cal$t")
      runs=$((runs + 3))
      echo "# trials $t-$((t + 9)): an undisturbed run takes $((length / 1000)) ms" >&3
    fi
    rm -rf q
    make_queue q "$n" "k$t"
    # Uniform over 0 to 1.1 times the run's length.
    delay=$(((RANDOM * 32768 + RANDOM) % (length * 11 / 10 + 1)))
    forumpost --defaults-file "$T/my.cnf" -q --queue q 2>/dev/null &
    local pid=$!
    sleep "$(printf '%d.%06d' $((delay / 1000000)) $((delay % 1000000)))"
    kill -0 "$pid" 2>/dev/null && mid=$((mid + 1))
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    # Now: each message in new/ or cur/, each in cur/ posted.
    cur=$(count q/cur)
    posted=$(sql "SELECT COUNT(*) FROM agora_fg_messages WHERE message_id LIKE '<k$t.%'")
    [ "$(($(count q/new) + cur))" -eq "$n" ] || fail "trial $t: a message left the queue unposted"
    [ "$posted" -ge "$cur" ] || fail "trial $t: $cur done in cur/, only $posted posted"
    [ "$posted" -gt "$cur" ] && in_flight=$((in_flight + 1))
    fp -q --queue q 2> rerun || fail "trial $t: the run after the kill failed: $(cat rerun)"
    [ "$(count q/cur)" -eq "$n" ] && [ "$(count q/new)" -eq 0 ] && [ ! -e q/.failed ] ||
      fail "trial $t: the queue is not done"
    [ "$(sql "SELECT COUNT(*), COUNT(DISTINCT subject) FROM agora_linux WHERE subject LIKE 'k$t-%'")" = "$n	$n" ] ||
      fail "trial $t: not $n distinct posts"
  done
  echo "# $trials trials, $mid killed while running, $in_flight between a commit and its rename" >&3
  # Over all trials (and the undisturbed runs): one post per message, one
  # record per post, counters right.
  local all=$(((trials + runs) * n))
  assert_equal "$(sql 'SELECT COUNT(*), COUNT(DISTINCT subject) FROM agora_linux')" "$all	$all"
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_fg_messages f JOIN agora_linux p ON p.cle = f.post_id')" "$all"
  assert_equal "$(sql 'SELECT totalnotes, totalthreads FROM agora')" "$all	$((all / 3))"
  # Enough kills must have hit a running forumpost for the trials to mean
  # anything: drawn across a median run, half of them or more do, unless
  # the runs' lengths swing widely (a loaded machine): a quarter at least.
  [ "$mid" -ge "$((trials / 4))" ] || fail "only $mid of $trials kills hit a running forumpost"
}

# deliver_10 FILE: ten forumposts deliver FILE at once; their statuses in
# st.1 ... st.10, their logs in log.1 ... log.10.
deliver_10() {
  local i pids=()
  for i in $(seq 1 10); do
    forumpost --defaults-file "$T/my.cnf" "$1" > "log.$i" 2>&1 &
    pids+=($!)
  done
  for i in $(seq 1 10); do
    wait_status "${pids[$((i - 1))]}"
    echo "$status" > "st.$i"
  done
}

@test "two --queue runs on one queue at once: each message posted once, also under READ COMMITTED" {
  local level tag n=400
  for level in "REPEATABLE READ" "READ COMMITTED"; do
    tag="two${level// /}"
    mariadb_sql -e "SET GLOBAL TRANSACTION ISOLATION LEVEL $level"
    rm -rf q && make_queue q "$n" "$tag"
    fp -q --queue q > out1 2>&1 &
    local pid1=$!
    fp -q --queue q > out2 2>&1 &
    local pid2=$!
    wait_status "$pid1"
    local status1=$status
    wait_status "$pid2"
    mariadb_sql -e "SET GLOBAL TRANSACTION ISOLATION LEVEL REPEATABLE READ"
    # Each run is done, or leaves what it could not finish (a deadlock
    # with the other) queued for the next.
    [[ $status1 =~ ^(0|75)$ && $status =~ ^(0|75)$ ]] || fail "statuses $status1 $status: $(cat out1 out2)"
    assert_consistent q "$n" "$tag"
    run fp -q --queue q
    assert_success
    assert_equal "$(count q/new)" 0
    assert_equal "$(count q/cur)" "$n"
    [ ! -e q/.failed ] || fail "refused: $(cat q/.failed/new/* | head -3)"
    assert_equal "$(sql "SELECT COUNT(*), COUNT(DISTINCT subject) FROM agora_linux WHERE subject LIKE '$tag-%'")" "$n	$n"
    assert_equal "$(sql "SELECT COUNT(*) FROM agora_fg_messages WHERE message_id LIKE '<$tag.%'")" "$n"
  done
}

@test "ten deliveries of one message at once: one post, nine duplicates, all status 0" {
  make_queue q 1 same
  deliver_10 q/new/*
  assert_equal "$(cat st.* | sort | uniq -c | awk '{print $1 "x" $2}')" "10x0"
  assert_equal "$(grep -l 'outcome=posted' log.* | wc -l)" 1
  assert_equal "$(grep -l 'outcome=duplicate' log.* | wc -l)" 9
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_linux')" 1
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_fg_messages')" 1
  assert_equal "$(sql 'SELECT totalnotes, totalthreads FROM agora')" "1	1"
}

@test "ten deliveries at once of a message without Message-ID: one post" {
  printf 'From: a@example.org\nTo: linux@forum.example.org\nSubject: no id\nDate: Mon, 23 Nov 2026 12:00:00 +0000\n\nNo id here.\n' > m
  deliver_10 m
  assert_equal "$(cat st.* | sort | uniq -c | awk '{print $1 "x" $2}')" "10x0"
  assert_equal "$(grep -l 'outcome=posted' log.* | wc -l)" 1
  assert_equal "$(grep -l 'outcome=duplicate' log.* | wc -l)" 9
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_linux')" 1
  assert_equal "$(sql "SELECT message_id FROM agora_fg_messages")" ""
}

# big FILE BYTES LINE: a message whose body is LINE repeated to BYTES.
big() {
  {
    printf 'From: a@example.org\nTo: linux@forum.example.org\nSubject: big\nMessage-ID: <big@test>\n\n'
    yes "$3" | head -c "$2"
  } > "$1"
}

@test "a 10 MB body is stored whole" {
  big m 10485760 "A line of text that goes on for a while, and then some more."
  run fp m
  assert_success
  assert_output --partial "outcome=posted"
  # One paragraph: every line, <br> at each line break, nothing lost.
  assert_equal "$(sql 'SELECT SHA2(body, 256) FROM agora_linux')" \
    "$({ printf '<p>'; sed '1,/^$/d' m | sed -z 's/\n/<br>\n/g'; printf '</p>'; } | sha256sum | cut -d' ' -f1)"
  assert_equal "$(sql 'SELECT LENGTH(body) FROM agora_linux')" 11173355
}

@test "a body too big for the column or the server is refused (65), not retried" {
  # Each < becomes &lt;: 40 MB of HTML, over MEDIUMTEXT's 16 MB.
  big m 10485760 "<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<"
  run fp m
  assert_failure 65
  assert_output --partial "too large for linux: 42082857 bytes of HTML, its agora_linux.body takes 16777215"
  # The next message of a queue goes on as usual.
  make_queue q 2 after
  cp m q/new/1600000000.M1P1Q1.test
  run fp --queue q
  assert_output --partial "3 taken, 2 posted, 0 duplicates, 0 ignored, 0 subscriptions, 1 refused, 0 deferred"
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_linux')" 2
  # A LONGTEXT column takes it, the server's 16 MB max_allowed_packet does not.
  sql 'ALTER TABLE agora_linux MODIFY body LONGTEXT'
  run fp m
  assert_failure 65
  assert_output --partial "more than the server's max_allowed_packet (16777216)"
  # A legacy TEXT column: 64 KB.
  sql 'ALTER TABLE agora_linux MODIFY body TEXT'
  big m2 70000 "plain words"
  run fp m2
  assert_failure 65
  assert_output --partial "its agora_linux.body takes 65535"
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_linux')" 2
}

@test "invalid UTF-8 and unknown charsets: stored, bad bytes replaced, never a crash" {
  printf 'From: a@example.org\nTo: linux@forum.example.org\nSubject: bad \xff\xfe utf-8\nMessage-ID: <u1@test>\nContent-Type: text/plain; charset=utf-8\n\nCaf\xc3\xa9 \xc3\x28 \xed\xa0\x80 \xf8\x88\x80\x80\x80 \xe2\x82 end\n' > m1
  run fp m1
  assert_success
  assert_output --partial "outcome=posted"
  printf 'From: a@example.org\nTo: linux@forum.example.org\nSubject: =?x-unknown-42?Q?h=E9llo?=\nMessage-ID: <u2@test>\nContent-Type: text/plain; charset=x-unknown-42\n\nd\xe9j\xe0 vu\n' > m2
  run fp m2
  assert_success
  assert_output --partial "outcome=posted"
  printf 'From: a@example.org\nTo: linux@forum.example.org\nSubject: binary\nMessage-ID: <u3@test>\nContent-Type: text/plain; charset=utf-16\n\n\x00\x01\x02\x80\xff\n' > m3
  run fp m3
  assert_success
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_linux')" 3
  # Each bad sequence one U+FFFD (which latin1 lacks: a reference); 8-bit
  # bytes in a header without a charset, and an unknown charset, read as
  # Latin-1; UTF-16 without a BOM read little-endian by iconv.
  assert_equal "$(sql 'SELECT subject, body FROM agora_linux WHERE cle = 1')" \
    "bad ÿþ utf-8	<p>Café &#65533;( &#65533;&#65533;&#65533; &#65533;&#65533;&#65533;&#65533;&#65533; &#65533; end</p>"
  assert_equal "$(sql 'SELECT subject, body FROM agora_linux WHERE cle = 2')" "héllo	<p>déjà vu</p>"
  assert_equal "$(sql 'SELECT body FROM agora_linux WHERE cle = 3')" "<p>&#256;&#32770;&#2815;</p>"
}

# conflicts N: the next N inserts into agora_fg_messages fail as a deadlock
# or a cluster's certification failure does (error 1213). The counter is
# an Aria table, whose changes no rollback undoes.
conflicts() {
  mariadb_sql "$DB" <<SQL
CREATE TABLE IF NOT EXISTS faults (n INT NOT NULL) ENGINE=Aria;
DELETE FROM faults;
INSERT INTO faults VALUES ($1);
DROP TRIGGER IF EXISTS conflict;
DELIMITER //
CREATE TRIGGER conflict BEFORE INSERT ON agora_fg_messages FOR EACH ROW
IF (SELECT n FROM faults) > 0 THEN
  UPDATE faults SET n = n - 1;
  SIGNAL SQLSTATE '40001' SET MYSQL_ERRNO = 1213, MESSAGE_TEXT = 'Deadlock found when trying to get lock';
END IF//
DELIMITER ;
SQL
}

@test "a conflict with another writer (1213) is retried, a bounded number of times, then 75 with the messages kept" {
  make_queue q 20 cf
  conflicts 2
  run fp --queue q --commit-every 10 --commit-time 600000  # two groups of ten, on any machine
  assert_success
  assert_output --partial "20 messages met a conflict with another writer: those again"
  assert_output --partial "20 posted"
  assert_equal "$(sql 'SELECT n FROM faults')" 0
  assert_equal "$(sql 'SELECT COUNT(*), COUNT(DISTINCT subject) FROM agora_linux')" "20	20"
  assert_equal "$(sql 'SELECT totalnotes FROM agora')" 20
  assert_equal "$(count q/new)" 0
  assert_equal "$(count q/cur)" 20
  # A conflict every time: five retries, then 75, every message still queued.
  make_queue q2 10 cg
  conflicts 1000
  run fp --queue q2 --commit-every 5
  assert_failure 75
  assert_equal "$(grep -c 'those again' <<< "$output")" 5
  assert_output --partial "10 deferred"
  assert_equal "$(count q2/new)" 10
  assert_equal "$(sql "SELECT COUNT(*) FROM agora_linux WHERE subject LIKE 'cg-%'")" 0
  # One message alone: made again after the conflict, posted once.
  conflicts 1
  run fp "$(ls q2/new/* | head -1)"
  assert_success
  assert_output --partial "a conflict with another writer: the message again"
  assert_equal "$(sql "SELECT COUNT(*) FROM agora_linux WHERE subject LIKE 'cg-%'")" 1
  # One line for it, not one per attempt.
  assert_equal "$(grep -c 'outcome=' <<< "$output")" 1
}

@test "after a conflict only the messages it deferred go again: a message that waits is not counted twice" {
  make_queue q 10 cw
  # The first insert meets a conflict; the forum takes 5 posts an hour, so
  # that messages 7 to 10 wait (each counted once as a wait).
  conflicts 1
  run fp --queue q --commit-every 1 --forum-limit 5 --forum-hide 100
  assert_failure 75
  assert_equal "$(sql 'SELECT n FROM faults')" 0
  assert_equal "$(sql "SELECT COUNT(*) FROM agora_linux WHERE subject LIKE 'cw-%'")" 5
  # Messages 2 to 6 posted; message 1 again after the conflict, now over
  # the limit, waits too: 5 waits, once each.
  assert_equal "$(sql "SELECT SUM(posts), SUM(waits) FROM agora_fg_rates WHERE scope = 'forum'")" "5	5"
  assert_output --partial "1 message met a conflict with another writer: those again"
  assert_output --partial "5 posted"
  assert_output --partial "5 deferred"
  assert_equal "$(count q/new)" 5
  # A waiting message's line once.
  assert_equal "$(grep -c '<cw.8@test>' <<< "$output")" 1
}
