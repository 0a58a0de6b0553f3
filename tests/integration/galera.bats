#!/usr/bin/env bats
# forumpost and forumnotify on a real three-node MariaDB Galera cluster
# (tests/lib/galera.bash): two gateway hosts (two queues, two runs at once,
# each on its own node) given the same messages; the node a run uses
# killed under it; two forumnotify runs on two nodes at once.
#
# FORUMGATE_GALERA_MESSAGES (default 2000) sets the number of messages of
# the two-host test, FORUMGATE_GALERA_KILLS (default 2) the kill trials.

load ../lib/common
load ../lib/galera

setup_file() {
  galera_available || skip "galera-4, mariadb-backup or socat is not installed"
  galera_start "$BATS_FILE_TMPDIR"
  export GALERA_DIR
}

teardown_file() { [ -n "${GALERA_DIR:-}" ] && galera_stop || true; }

setup() {
  common_setup
  DB=g$BATS_TEST_NUMBER
  galera_sql 1 -e "CREATE DATABASE $DB"
  galera_sql 1 "$DB" < "$FORUMGATE_SOURCE/share/forumgate/wagora.sql"
  # The user, password and database from the option file; the host from
  # --db-host (TCP on loopback).
  umask 077
  printf '[client]\nuser=root\ndatabase=%s\n' "$DB" > "$T/my.cnf"
  umask 022
}

teardown() {
  # A node a test killed comes back for the next.
  local n
  for n in 1 2 3; do galera_synced "$n" > /dev/null 2>&1 || galera_join "$n" || true; done
  common_teardown
}

sql() { galera_sql "${2:-1}" -N -B "$DB" -e "$1"; }
host() { echo "127.0.0.1:$(galera_port "$1")"; }
fp() { forumpost --defaults-file "$T/my.cnf" "$@"; }

# messages DIR FIRST LAST KIND: one file per message in DIR; KIND "start"
# makes thread starters <s.I@test>, "reply" a reply <r.I@test> to each.
messages() {
  mkdir -p "$1"
  awk -v dir="$1" -v first="$2" -v last="$3" -v kind="$4" 'BEGIN {
    for (i = first; i <= last; i++) {
      f = sprintf("%s/%d", dir, i)
      printf "From: User %d <user%d@example.org>\nTo: linux@forum.example.org\n", i % 7, i % 7 > f
      if (kind == "start") printf "Subject: s-%d\nMessage-ID: <s.%d@test>\n", i, i > f
      else printf "Subject: Re: s-%d\nMessage-ID: <r.%d@test>\nIn-Reply-To: <s.%d@test>\n", i, i, i > f
      printf "Date: Mon, 23 Nov 2026 12:00:00 +0000\n\nMessage %d (%s).\n", i, kind > f
      close(f)
    }
  }'
}

# queue_of QUEUE FILES...: the files into a queue's new/, in the order given.
queue_of() {
  local q=$1 i=0 f
  shift
  mkdir -p -m 700 "$q" "$q/new" "$q/cur" "$q/tmp"
  for f in "$@"; do
    i=$((i + 1))
    cp "$f" "$q/new/$((1700000000 + i)).M${i}P1Q1.host"
  done
}

# drain QUEUE NODE...: forumpost --queue on the nodes given, in order,
# until the queue is empty (75 leaves messages for the next round); at
# most 20 rounds.
drain() {
  local q=$1 round args=()
  shift
  for n in "$@"; do args+=(--db-host "$(host "$n")"); done
  for ((round = 1; round <= 20; round++)); do
    fp --queue "$q" "${args[@]}" 2>> "$T/drain.log" && [ -z "$(ls "$q/new")" ] && return 0
  done
  echo "$q not drained after 20 rounds" >&2
  tail -5 "$T/drain.log" >&2
  return 1
}

# The same rows on every node: counts and checksums of the tables written.
same_on_all_nodes() {
  local n t sums=()
  for n in 1 2 3; do
    sums[n]=""
    for t in agora_linux agora_fg_messages agora; do
      sums[n]+="$(galera_sql "$n" -N -B "$DB" -e "CHECKSUM TABLE $t" | cut -f2) "
    done
  done
  [ "${sums[1]}" = "${sums[2]}" ] && [ "${sums[2]}" = "${sums[3]}" ] || {
    echo "the nodes differ: ${sums[*]}" >&2
    return 1
  }
}

@test "two gateway hosts on two nodes, the same messages in other orders: each posted once, threads and counters right" {
  local n=${FORUMGATE_GALERA_MESSAGES:-2000}
  local half=$((n / 2))
  messages m 1 "$half" start
  messages m "$((half + 1))" "$n" start
  mkdir r
  messages r 1 "$half" reply
  # The thread starters, then a reply to each, to both hosts at once.
  for phase in m r; do
    queue_of "a$phase" $(ls "$phase"/* | shuf)
    queue_of "b$phase" $(ls "$phase"/* | shuf)
    drain "a$phase" 1 2 &
    a=$!
    drain "b$phase" 2 1 &
    b=$!
    wait_status "$a"
    assert_equal "$status" 0
    wait_status "$b"
    assert_equal "$status" 0
  done
  # Every message once, on every node.
  assert_equal "$(sql 'SELECT COUNT(*), COUNT(DISTINCT message_id) FROM agora_fg_messages' 3)" "$((n + half))	$((n + half))"
  assert_equal "$(sql 'SELECT COUNT(*), COUNT(DISTINCT subject) FROM agora_linux' 3)" "$((n + half))	$((n + half))"
  # Each reply in its parent's thread, under it.
  assert_equal "$(sql "SELECT COUNT(*) FROM agora_linux r JOIN agora_linux s ON s.subject = SUBSTRING(r.subject, 5)
                       WHERE r.subject LIKE 'Re: %' AND r.parent = s.cle AND r.thread = s.cle AND s.thread = s.cle")" "$half"
  assert_equal "$(sql 'SELECT totalnotes, totalthreads FROM agora')" "$((n + half))	$n"
  assert_equal "$(sql 'SELECT COALESCE(SUM(totalpost), 0) FROM agora_userforum')" "$(sql "SELECT COUNT(*) FROM agora_linux WHERE userid NOT LIKE '% (guest)'")"
  # Both hosts' queues are done: each message in cur/ of both.
  assert_equal "$(ls acur bcur 2> /dev/null | wc -l)" 0
  for q in am bm ar br; do assert_equal "$(ls "$q/new" | wc -l)" 0; done
  same_on_all_nodes
  grep 'taken' "$T/drain.log" | tail -4 | sed 's/^/# /' >&3
  echo "# passes again after a conflict with the other host: $(grep -c 'met a conflict' "$T/drain.log")" >&3
}

@test "the node a run uses killed (kill -9) while it posts: the run goes on from another node; nothing lost, nothing doubled" {
  local trials=${FORUMGATE_GALERA_KILLS:-2} t k
  for ((t = 1; t <= trials; t++)); do
    rm -rf m q
    messages m "$((t * 1000 + 1))" "$((t * 1000 + 300))" start
    queue_of q m/*
    local before
    before=$(sql 'SELECT COUNT(*) FROM agora_linux')
    # The run prefers node 3, then node 1.
    fp --queue q --commit-every 10 --db-host "$(host 3)" --db-host "$(host 1)" -q 2>> "$T/kill.log" &
    k=$!
    # Killed once some of its groups have been committed: whenever that
    # is on this machine (read from the cluster, not from a clock).
    for ((i = 0; i < 1200; i++)); do
      [ "$(sql 'SELECT COUNT(*) FROM agora_linux' 1)" -gt "$before" ] && break
      kill -0 "$k" 2> /dev/null || break
      sleep 0.05
    done
    galera_kill 3
    wait_status "$k"
    # 0 if it had finished, 75 if the node went under it: the rest is in new/.
    [[ $status == 0 || $status == 75 ]] || { echo "run $t: status $status" >&2; return 1; }
    # The next run: node 3 does not answer, node 1 does.
    drain q 3 1
    assert_equal "$(sql "SELECT COUNT(*), COUNT(DISTINCT subject) FROM agora_linux WHERE subject LIKE 's-%' AND
                         SUBSTRING(subject, 3) BETWEEN $((t * 1000 + 1)) AND $((t * 1000 + 300))")" "300	300"
    assert_equal "$(ls q/new | wc -l)" 0
    assert_equal "$(ls q/cur | wc -l)" 300
    galera_join 3
    same_on_all_nodes
  done
  assert_equal "$(sql 'SELECT totalnotes FROM agora')" "$(sql 'SELECT COUNT(*) FROM agora_linux')"
}

@test "two forumnotify runs on two nodes at once: each subscriber gets each post once" {
  local a b i
  for i in $(seq 1 20); do
    sql "INSERT INTO agora_fg_subscriptions (bn_name, address, unixdate) VALUES ('linux', 'sub$i@example.net', 1)"
  done
  mkdir out
  # A slow sendmail: the two runs overlap.
  cat > capture << SH
#!/bin/sh
f=\$(mktemp "$T/out/m.XXXXXX")
printf '%s\n' "\$@" > "\$f.args"
cat > "\$f.eml"
sleep 0.05
SH
  chmod 755 capture
  fn() {
    forumnotify --defaults-file "$T/my.cnf" --address '{forum}@forum.example.org' \
      --web-message-id '<{post}.{forum}@forum.example.org>' --sendmail "$T/capture" --parallel 1 --batch 1 "$@"
  }
  fn --db-host "$(host 1)" -q
  for i in 1 2 3 4 5; do
    sql "INSERT INTO agora_linux (parent, thread, subject, body, userid, unixdate) VALUES (0, 0, 'p$i', '<p>$i</p>', 'web', UNIX_TIMESTAMP())"
  done
  sql "UPDATE agora_linux SET thread = cle WHERE thread = 0"
  fn --db-host "$(host 1)" -q 2> a.log &
  a=$!
  fn --db-host "$(host 2)" -q 2> b.log &
  b=$!
  wait_status "$a"
  local sa=$status
  wait_status "$b"
  local sb=$status
  # One ran, the other found the forum held (75); or they ran one after
  # the other. Then whatever waits is sent by one more run.
  [[ $sa == 0 || $sa == 75 ]] && [[ $sb == 0 || $sb == 75 ]]
  fn --db-host "$(host 3)" -q
  # 5 posts x 20 subscribers, each (post, subscriber) once.
  local pairs
  pairs=$(for f in out/*.eml; do
    printf '%s %s\n' "$(grep -m1 '^Message-ID:' "$f")" "$(sed '1,/^--$/d' "${f%.eml}.args")"
  done | sort)
  assert_equal "$(wc -l <<< "$pairs")" 100
  assert_equal "$(uniq <<< "$pairs" | wc -l)" 100
  assert_equal "$(sql 'SELECT COUNT(*) FROM agora_fg_outbox')" 0
}
