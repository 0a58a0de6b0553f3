#!/usr/bin/env bats
# mimeparse on the reply corpus in tests/data/replies: each NAME.eml beside
# the NAME.text its author's new text is (written by hand, read off the
# message), and NAME.quoted / NAME.signature where they matter. Every
# mismatch is listed with its diff. NAME.absent lists words an HTML
# reply's record must no longer have in its html.

load ../lib/common

setup() { common_setup; R=$FORUMGATE_SOURCE/tests/data/replies; }
teardown() { common_teardown; }

@test "the corpus: 200 cases or more, each with its expected text" {
  local cases=("$R"/*.eml) c
  [ "${#cases[@]}" -ge 200 ]
  for c in "${cases[@]}"; do
    [ -f "${c%.eml}.text" ] || {
      echo "no expected text for $c"
      return 1
    }
  done
}

# One mimeparse for all the cases, trimmed and not; the comparisons in
# tests/lib/replies_check.py (one process, not three jq calls a case).
@test "every case: text, text_quoted, signature and html as expected; no line lost" {
  local cases=("$R"/*.eml)
  mimeparse "${cases[@]}" > records
  mimeparse --no-trim "${cases[@]}" > untrimmed
  [ "$(wc -l < records)" -eq "${#cases[@]}" ]
  printf '%s\n' "${cases[@]}" > list
  run python3 "$FORUMGATE_SOURCE/tests/lib/replies_check.py" fields list records untrimmed
  echo "$output"
  [ "$status" -eq 0 ]
  [[ $output == *"${#cases[@]} cases"* ]]
}

@test "the categories and the 22 languages are all in the corpus" {
  local cat lang n
  for cat in attr header sep sig fwd bottom inter keep nested html; do
    n=$(find "$R" -name "$cat-*.eml" | wc -l)
    [ "$n" -ge 3 ] || {
      echo "category $cat: $n cases"
      return 1
    }
  done
  for lang in en fr de es pt it nl sv no da fi pl cs ru uk tr el he ar zh ja ko; do
    n=$(find "$R" -name "*-$lang-*.eml" | wc -l)
    [ "$n" -ge 6 ] || {
      echo "language $lang: $n cases"
      return 1
    }
  done
}
