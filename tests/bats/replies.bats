#!/usr/bin/env bats
# mimeparse on the reply corpus in tests/data/replies: each NAME.eml beside
# the NAME.text its author's new text is (written by hand, read off the
# message), and NAME.quoted / NAME.signature where they matter. Every
# mismatch is listed with its diff.

load ../lib/common

setup() { common_setup; R=$FORUMGATE_SOURCE/tests/data/replies; }
teardown() { common_teardown; }

# field NAME.EXT: the record's field that file is about.
key_of() {
  case $1 in
  text) echo text ;;
  quoted) echo text_quoted ;;
  signature) echo signature ;;
  esac
}

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

@test "every case: text, text_quoted and signature as expected" {
  local cases=("$R"/*.eml) i=0 bad=0 checked=0 name ext rec
  mimeparse "${cases[@]}" > records
  [ "$(wc -l < records)" -eq "${#cases[@]}" ]
  while IFS= read -r rec; do
    name=${cases[i]%.eml}
    i=$((i + 1))
    for ext in text quoted signature; do
      [ -f "$name.$ext" ] || continue
      checked=$((checked + 1))
      jq -r ".$(key_of "$ext")" <<< "$rec" > got
      if ! diff -u --label "expected" --label "mimeparse" "$name.$ext" got > delta; then
        bad=$((bad + 1))
        echo "mismatch: ${name##*/}.$ext"
        cat delta
      fi
    done
  done < records
  echo "${#cases[@]} cases, $checked fields checked, $bad mismatches"
  [ "$i" -eq "${#cases[@]}" ]
  [ "$bad" -eq 0 ]
}

@test "HTML replies: what NAME.absent lists is not in the record's html" {
  local c name line bad=0 n=0
  for c in "$R"/*.absent; do
    name=${c%.absent}
    n=$((n + 1))
    mimeparse "$name.eml" | jq -r '.html // ""' > html
    [ -s html ] || {
      echo "${name##*/}: no html in the record"
      bad=$((bad + 1))
    }
    while IFS= read -r line; do
      if grep -qF -- "$line" html; then
        echo "${name##*/}: the html still has \"$line\""
        bad=$((bad + 1))
      fi
    done < "$c"
  done
  [ "$n" -ge 15 ]
  [ "$bad" -eq 0 ]
}

@test "nothing is lost: the lines of text, text_quoted and signature are those of the untrimmed text" {
  local c bad=0
  for c in "$R"/*.eml; do
    mimeparse --no-trim "$c" | jq -r .text | grep -v '^[[:space:]]*$' | sort > body
    mimeparse "$c" | jq -r '.text, .text_quoted, .signature' | grep -v '^[[:space:]]*$' | sort > parts
    if ! diff -u body parts > delta; then
      bad=$((bad + 1))
      echo "lines lost or added: ${c##*/}"
      cat delta
    fi
  done
  [ "$bad" -eq 0 ]
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
