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

@test "agreement with ruby-email-reply-trimmer on the corpus; every difference explained" {
  local c
  mkdir bodies ours
  local cases=("$R"/*.eml)
  printf '%s\n' "${cases[@]}" > list
  mimeparse --no-trim "${cases[@]}" > untrimmed
  mimeparse "${cases[@]}" > records
  python3 "$FORUMGATE_SOURCE/tests/lib/replies_check.py" bodies list untrimmed bodies
  python3 "$FORUMGATE_SOURCE/tests/lib/replies_check.py" bodies list records ours
  ruby "$FORUMGATE_SOURCE/tests/lib/peer_trim.rb" bodies/*
  for c in bodies/*.peer; do mv "$c" "ours/${c#bodies/}"; done
  run python3 "$FORUMGATE_SOURCE/tests/lib/replies_check.py" peer list ours "$R/peer-differences.txt"
  echo "$output"
  # Printed on the TAP stream: the figure is the point of the test.
  grep '^agreement' <<< "$output" | sed 's/^/# /' >&3
  [ "$status" -eq 0 ]
  [[ $output == *"agreement with ruby-email-reply-trimmer: "* ]]
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
