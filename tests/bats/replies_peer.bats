#!/usr/bin/env bats
# The reply corpus against a real peer: Debian's ruby-email-reply-trimmer
# (Discourse's trimmer) trims the same bodies (the record's text with
# mimeparse --no-trim), and its text is compared with our record's text.
# The agreement is printed; each
# case where the two differ must be listed in
# tests/data/replies/peer-differences.txt, one line each: the case, which
# side is right ("ours" or "peer"), and why. A difference not listed, or
# listed but gone, fails the test.

load ../lib/common

PEER_LIB=/usr/share/rubygems-integration/all/gems

setup() {
  command -v ruby > /dev/null || skip "ruby is not installed"
  ls -d "$PEER_LIB"/email_reply_trimmer-* > /dev/null 2>&1 || skip "ruby-email-reply-trimmer is not installed"
  common_setup
  R=$FORUMGATE_SOURCE/tests/data/replies
}
teardown() { [ -n "${T:-}" ] && common_teardown || true; }

# What both sides' texts are compared as: lines without trailing blanks,
# runs of blank lines as one, no blank lines around.
normal() { sed -e 's/[[:space:]]*$//' "$1" | cat -s | sed -e '/./,$!d' | tac | sed -e '/./,$!d' | tac; }

@test "agreement with ruby-email-reply-trimmer on the corpus; every difference explained" {
  local c name agree=0 total=0 unexplained=0 stale=0
  mkdir bodies ours
  for c in "$R"/*.eml; do
    name=$(basename "$c" .eml)
    mimeparse --no-trim "$c" | jq -r .text > "bodies/$name"
    mimeparse "$c" | jq -r .text > "ours/$name"
  done
  ruby "$FORUMGATE_SOURCE/tests/lib/peer_trim.rb" bodies/*
  grep -v '^#' "$R/peer-differences.txt" | grep . | cut -d' ' -f1 | sort > listed
  : > differ
  for c in "$R"/*.eml; do
    name=$(basename "$c" .eml)
    total=$((total + 1))
    if [ "$(normal "ours/$name")" = "$(normal "bodies/$name.peer")" ]; then
      agree=$((agree + 1))
    else
      echo "$name" >> differ
      if ! grep -qx "$name" listed; then
        unexplained=$((unexplained + 1))
        echo "not in peer-differences.txt: $name"
        diff -u --label ours --label peer <(normal "ours/$name") <(normal "bodies/$name.peer") || true
      fi
    fi
  done
  while read -r name; do
    grep -qx "$name" differ || {
      stale=$((stale + 1))
      echo "listed in peer-differences.txt but agrees now: $name"
    }
  done < listed
  # Printed on the TAP stream: the figure is the point of the test.
  echo "# agreement with ruby-email-reply-trimmer: $agree of $total cases ($((100 * agree / total)) %)" >&3
  [ "$total" -ge 200 ]
  [ "$unexplained" -eq 0 ]
  [ "$stale" -eq 0 ]
}

@test "peer-differences.txt: each line names a case, the side that is right, and why" {
  local line name side why
  while IFS= read -r line; do
    case $line in '#'* | '') continue ;; esac
    read -r name side why <<< "$line"
    [ -f "$R/$name.eml" ] || {
      echo "no such case: $name"
      return 1
    }
    [[ $side == ours: || $side == peer: ]] || {
      echo "$name: the side must be 'ours:' or 'peer:', not '$side'"
      return 1
    }
    [ -n "$why" ] || {
      echo "$name: no reason given"
      return 1
    }
  done < "$R/peer-differences.txt"
}
