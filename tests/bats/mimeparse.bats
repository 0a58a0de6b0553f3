#!/usr/bin/env bats
# mimeparse: records, the tree, text, headers, extraction, attachments, exit
# statuses, and the pathological inputs the MIME layer must survive. The
# expected values were worked out by hand from the sample messages in
# tests/data/mime (dates with date -u, digests with sha256sum of the bytes).

load ../lib/common

setup() { common_setup; D=$FORUMGATE_SOURCE/tests/data/mime; }
teardown() { common_teardown; }

field() { jq -r "$1" record; }

@test "a latin1 message with encoded headers: every field of its record" {
  mimeparse "$D/latin1.eml" > record
  [ "$(wc -l < record)" -eq 1 ]
  [ "$(field .version)" = 1 ]
  [ "$(field .message_id)" = "<20261123.1@example.org>" ]
  [ "$(field .in_reply_to)" = null ]
  [ "$(field .date)" = 1795431600 ]          # 2026-11-23 11:00:00 UTC
  [ "$(field .from.name)" = "Amélie Durand" ]
  [ "$(field .from.address)" = amelie@example.org ]
  [ "$(field '.to[0].address')" = linux@forum.example.org ]
  [ "$(field .subject)" = "Problème de montage NFS" ]
  [ "$(field .recipient)" = linux@forum.example.org ]  # from Delivered-To
  [ "$(field .envelope_sender)" = amelie@example.org ]
  [ "$(field .text)" = "Déjà essayé ? Mon serveur refuse le montage." ]
  [ "$(field .auto)" = none ]
  [ "$(field '.defects | length')" = 0 ]
  [ "$(field .size)" = "$(stat -c %s "$D/latin1.eml")" ]
}

@test "a flowed reply: ids, the quote and the signature split off" {
  mimeparse "$D/reply.eml" > record
  [ "$(field .in_reply_to)" = "<20261123.1@example.org>" ]
  [ "$(field '.references | join(" ")')" = "<20261122.9@example.org> <20261123.1@example.org>" ]
  [ "$(field .date)" = 1795444200 ]          # 2026-11-23 14:30:00 UTC
  [ "$(field .subject)" = "Re: Problème de montage NFS" ]
  [ "$(field .text)" = "Try the nolock option, it fixed the same problem here." ]
  field .text_quoted | grep -q '^On Mon, 23 Nov 2026 at 12:00, Amélie Durand <amelie@example.org> wrote:$'
  field .text_quoted | grep -q '^> Mon serveur refuse le montage.$'
  [ "$(field .signature | grep -c Bob)" = 1 ]
  mimeparse --no-trim "$D/reply.eml" > record
  field .text | grep -q '^> Mon serveur refuse le montage.$'
}

@test "multipart: HTML chosen over a stub, sanitized, attachments named safely" {
  mimeparse "$D/multi.eml" > record
  [ "$(field .text)" = "See the log <https://example.org/log> attached." ]
  field .html | grep -q 'href="https://example.org/log"'
  ! field .html | grep -qi -e '<script' -e 'onerror' -e 'alert' -e '<style'
  [ "$(field '.attachments | length')" = 2 ]
  [ "$(field '.attachments[0].filename')" = "résumé.pdf" ]
  [ "$(field '.attachments[0].content_type')" = application/pdf ]
  [ "$(field '.attachments[0].disposition')" = attachment ]
  [ "$(field '.attachments[0].size')" = 1024 ]
  [ "$(field '.attachments[0].sha256')" = 785b0751fc2c53dc14a4ce3d800e69ef9ce1009eb327ccf458afe09c242c26c9 ]
  [ "$(field '.attachments[1].filename')" = passwd ]
  [ "$(field '.attachments[1].sha256')" = 89ef98f859f634507b321f5540785bedb26696c45ab130a70d9c61655ddfc5cc ]
}

@test "--tree shows the structure" {
  run mimeparse --tree "$D/multi.eml"
  assert_success
  assert_output "1 multipart/mixed
  1.1 multipart/alternative
    1.1.1 text/plain; charset=us-ascii 64 bytes
    1.1.2 text/html; charset=utf-8 quoted-printable 185 bytes
  1.2 application/pdf base64 1024 bytes attachment \"résumé.pdf\"
  1.3 text/plain 10 bytes attachment \"../../etc/passwd\""
}

@test "--extract writes one decoded part; --text and --header" {
  mimeparse -x 1.2 "$D/multi.eml" > part
  python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 4)' > expected
  cmp part expected
  run mimeparse --text "$D/latin1.eml"
  assert_output "Déjà essayé ? Mon serveur refuse le montage."
  run mimeparse -H subject -H From "$D/latin1.eml"
  assert_output "Problème de montage NFS
Amélie Durand <amelie@example.org>"
  run mimeparse -x 9 "$D/multi.eml"
  assert_failure 64
  assert_output --partial "no part 9"
}

@test "--attachments writes into DIR only, never replacing a file" {
  mkdir out
  echo keep > out/passwd
  mimeparse --attachments out "$D/multi.eml" > record
  cmp out/résumé.pdf <(python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 4)')
  [ "$(cat out/passwd)" = keep ]
  [ "$(cat out/passwd-2)" = "root:x:0:0" ]
  [ "$(field '.attachments[1].path')" = out/passwd-2 ]
  [ "$(find . -type f | sort | tr '\n' ' ')" = "./out/passwd ./out/passwd-2 ./out/résumé.pdf ./record " ]
  run mimeparse --attachments missing "$D/multi.eml"
  assert_failure 73
}

@test "several files make JSON Lines; - is standard input" {
  mimeparse "$D/latin1.eml" - "$D/reply.eml" < "$D/multi.eml" > record
  [ "$(wc -l < record)" -eq 3 ]
  [ "$(jq -r .subject record | sed -n 2p)" = logs ]
}

@test "exit statuses: unreadable 66, no message 65, the other files still read" {
  printf '' > empty
  head -c 3000 /dev/urandom | tr -d ':\n' > garbage
  run mimeparse missing "$D/latin1.eml"
  assert_failure 66
  assert_output --partial "cannot open missing"
  assert_output --partial '"subject":"Problème de montage NFS"'
  run mimeparse /
  assert_failure 66
  run mimeparse empty
  assert_failure 65
  assert_output --partial "empty"
  run mimeparse garbage
  assert_failure 65
  assert_output --partial "no header"
  run mimeparse --tree --text "$D/latin1.eml"
  assert_failure 64
}

@test "classification: auto-reply, bounce, list, loop" {
  printf 'From: a@b\nAuto-Submitted: auto-replied\nSubject: x\n\nt\n' > m; mimeparse m > record
  [ "$(field .auto)" = auto-reply ]
  printf 'From: MAILER-DAEMON@b\nSubject: Undelivered Mail\n\nt\n' > m; mimeparse m > record
  [ "$(field .auto)" = bounce ]
  printf 'From: a@b\nList-Id: <l.example.org>\nSubject: x\n\nt\n' > m; mimeparse m > record
  [ "$(field .auto)" = list ]
  printf 'From: a@b\nX-Loop: forum@example.org\nSubject: x\n\nt\n' > m
  mimeparse --loop forum@example.org m > record
  [ "$(field .auto)" = loop ]
  mimeparse m > record
  [ "$(field .auto)" = none ]
}

# Pathological inputs: each must end with a record (the walk is bounded and
# linear); times are printed by bats, never asserted.

@test "pathological: 100,000 nested multiparts" {
  python3 -c '
import sys
n = 100000
out = sys.stdout
out.write("From: a@b\n")
for i in range(n):
    out.write("Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n" % (i, i))
out.write("Content-Type: text/plain\n\ndeep\n")' > m
  mimeparse m > record
  field '.defects[]' | grep -q "nested too deep"
}

@test "pathological: 100,000 flat parts" {
  python3 -c '
import sys
sys.stdout.write("From: a@b\nContent-Type: multipart/mixed; boundary=b\n\n")
sys.stdout.write("--b\nContent-Type: text/plain\n\nfirst\n")
sys.stdout.write("--b\nContent-Type: application/octet-stream\n\nx\n" * 100000)
sys.stdout.write("--b--\n")' > m
  mimeparse m > record
  [ "$(field .text)" = first ]
  field '.defects[]' | grep -q "too many parts"
  [ "$(field '.attachments | length')" = 9999 ]
}

@test "pathological: a 4 MB header line and a 1 MB folded encoded subject" {
  { printf 'From: a@b\nX-Long: '; head -c 4194304 /dev/zero | tr '\0' x; printf '\n\nbody\n'; } > m
  mimeparse m > record
  [ "$(field .text)" = body ]
  python3 -c '
import sys
word = "=?UTF-8?B?w6k=?="          # one encoded e-acute
sys.stdout.write("From: a@b\nSubject: " + "\n ".join([word] * 60000) + "\n\nbody\n")' > m
  [ "$(stat -c %s m)" -gt 1000000 ]
  mimeparse m > record
  [ "$(field .subject | wc -m)" -eq 60001 ]   # 60,000 characters and jq's newline
  [ "$(field .subject | head -c 4)" = "éé" ]
}

@test "pathological: boundary in mid-line, multipart without boundary, NUL, CR-only" {
  printf 'From: a@b\nContent-Type: multipart/mixed; boundary=x\n\n--x\n\nkeep --x in the line\n--x--\n' > m
  mimeparse m > record
  [ "$(field .text)" = "keep --x in the line" ]
  printf 'From: a@b\nContent-Type: multipart/mixed\n\n--\nplain text\n' > m
  mimeparse m > record
  [ "$(field .text)" = "--
plain text" ]
  field '.defects[]' | grep -q "without a boundary"
  printf 'From: a@b\nSubject: nul\n\nbefore\0after\n' > m
  mimeparse m > record
  [ "$(field .text)" = "beforeafter" ]
  printf 'From: a@b\rSubject: mac\r\rold\rmac\r' > m
  mimeparse m > record
  [ "$(field .subject)" = mac ]
  [ "$(field .text)" = "old
mac" ]
}

@test "the record has exactly the fields docs/post-record.md lists" {
  doc=$FORUMGATE_SOURCE/docs/post-record.md
  # Top-level fields: the first table; attachment fields: the second.
  awk '/^\| field/ { n++ } n == 1' "$doc" | grep -oE '^\| `[a-z_]+`( *, *`[a-z_]+`)*' |
    grep -oE '[a-z_]+' | sort > documented
  mimeparse "$D/multi.eml" > record
  jq -r 'keys[]' record | sort > actual
  diff -u documented actual
  awk '/^\| field/ { n++ } n == 2' "$doc" | grep -oE '^\| `[a-z_0-9]+`' | grep -oE '[a-z_0-9]+' | sort > documented
  jq -r '.attachments[0] | keys[]' record | sort > actual
  diff -u documented actual
}

# big5-utf8.eml declares big5 but its body is UTF-8 (python3:
# "謝謝".encode("utf-8") starts E8 AC 9D, and 0x9D cannot lead a Big5
# pair); its subject is real Big5 (=?big5?B?xKo=?= is C4 AA, 蘆 by
# bytes.decode("big5")).
@test "UTF-8 text declared big5 is read as UTF-8, with a defect; real Big5 stays Big5" {
  mimeparse "$D/big5-utf8.eml" > record
  [ "$(field .text)" = "謝謝，現在可以了。" ]
  [ "$(field .subject)" = "蘆" ]
  [ "$(field '.defects | length')" = 1 ]
  [ "$(field '.defects[0]')" = "part 1: bytes invalid in big5 but valid UTF-8; read as UTF-8" ]
}

@test "empty lines before the header are skipped, with a defect" {
  run -0 mimeparse "$D/leading-empty.eml"
  echo "$output" > record
  [ "$(field .subject)" = "Leading empty lines" ]
  [ "$(field .from.address)" = ann@example.org ]
  [ "$(field .text)" = "The body." ]
  [ "$(field '.defects[0]')" = "2 empty lines before the header skipped" ]
  # An empty line and then no header field: still no message.
  printf '\nJust text.\n' > nohdr.eml
  run -65 mimeparse nohdr.eml
}

# html-en-related-cid.eml: the HTML shows <img src="cid:ii_abc123">, and
# part 1.2 (screen.png) has Content-ID <ii_abc123>.
@test "an inline cid: image: its placeholder in text and html, and the attachment says so" {
  mimeparse "$FORUMGATE_SOURCE/tests/data/replies/html-en-related-cid.eml" > record
  [ "$(field '.attachments | length')" = 1 ]
  [ "$(field '.attachments[0].part')" = 1.2 ]
  [ "$(field '.attachments[0].content_id')" = ii_abc123 ]
  [ "$(field '.attachments[0].placeholder')" = "[image: screen.png]" ]
  field .text | grep -qxF "[image: screen.png]"
  field .html | grep -qF "[image: screen.png]"
  ! field .html | grep -q "cid:"
  # A message without inline images: no placeholder.
  mimeparse "$D/multi.eml" > record
  [ "$(field '[.attachments[].placeholder] | unique | join(",")')" = "" ]
}

@test "a bounce's delivery status report is in the record: recipients, actions, statuses" {
  run mimeparse "$FORUMGATE_SOURCE/tests/data/dsn/two-recipients.eml"
  assert_success
  assert_equal "$(jq -r '.bounce.reporting_mta' <<< "$output")" "relay.example.com"
  assert_equal "$(jq -r '.bounce.recipients[] | "\(.address) \(.action) \(.status)"' <<< "$output")" \
    "frank@example.com failed 5.2.2
grace@example.com delayed 4.2.2"
  assert_equal "$(jq -r '.auto' <<< "$output")" "bounce"
  run mimeparse "$FORUMGATE_SOURCE/tests/data/dsn/exim-plain.eml"
  assert_equal "$(jq -r '.bounce' <<< "$output")" "null"
}

# A message written to take over the administrator's terminal: an ESC
# sequence and a BEL in a charset, a screen-clearing CSI in a content type,
# a right-to-left override in a file name, a C1 CSI (U+009B) in a subject;
# and no end boundary.
hostile_message() {
  printf 'From: a@example.org\nSubject: =?utf-8?q?before=1B]2;owned=07=C2=9Bafter?=\nMIME-Version: 1.0\n'
  printf 'Content-Type: multipart/mixed; boundary=b\n\n--b\n'
  printf 'Content-Type: text/plain; charset="utf-8\033]2;owned\007"\n\nhi\n--b\n'
  printf 'Content-Type: application/x-\033[2Jevil\n'
  printf 'Content-Disposition: attachment; filename="invoice\342\200\256fdp.exe"\n\nx\n'
}

# No byte a terminal obeys: ESC, BEL, C1 (as UTF-8 or alone), RLO.
assert_nothing_raw() {
  ! grep -q -P '[\x00-\x08\x0b-\x1f\x7f]' "$1"
  ! grep -q -e $'\xe2\x80\xae' -e $'\xc2\x9b' "$1"
}

@test "--tree shows control bytes and bidi controls escaped, never raw" {
  hostile_message > evil.eml
  mimeparse --tree evil.eml > tree
  assert_nothing_raw tree
  grep -qF 'charset=utf-8^[]2;owned^G' tree
  grep -qF '"invoice<U+202E>fdp.exe"' tree
  grep -qF '1.2 application/x-^[[2jevil 2 bytes attachment' tree
}

@test "-v lists every defect of the record, escaped: those found decoding too" {
  hostile_message > evil.eml
  mimeparse -v evil.eml 2> err > record
  assert_nothing_raw err
  # A structure defect (the walker's) and a decoding one (the builder's).
  grep -qF 'evil.eml: part 1: missing end boundary' err
  grep -qF 'evil.eml: part 1.1: unknown charset "utf-8^[]2;owned^G"; read as windows-1252' err
  [ "$(jq '.defects | length' record)" -eq "$(grep -c '^mimeparse: evil.eml: ' err)" ]
}

@test "an error quoting a file name shows its controls; a log line never splits" {
  run -66 mimeparse $'no\033[2Jsuch\nmimeparse: forged line'
  [ "${#lines[@]}" -eq 1 ]
  assert_output --partial 'cannot open no^[[2Jsuch^Jmimeparse: forged line'
  ! grep -q $'\033' <<< "$output"
}

@test "--header and --text on a terminal show controls escaped; a pipe gets the bytes" {
  hostile_message > evil.eml
  script -qec "mimeparse -H subject evil.eml" /dev/null > shown
  grep -qF 'before^[]2;owned^G<U+009B>after' shown
  ! grep -q $'\033]2' shown
  mimeparse -H subject evil.eml > piped
  grep -q $'before\033]2;owned\007\xc2\x9bafter' piped
}

@test "a boundary that looks like an RFC 2047 word is the boundary as written" {
  printf '%s\n' 'From: a@example.org' 'Subject: x' 'MIME-Version: 1.0' \
    'Content-Type: multipart/mixed; boundary="=?utf-8?q?sep?="' '' \
    '--=?utf-8?q?sep?=' 'Content-Type: text/plain' '' 'the text' \
    '--=?utf-8?q?sep?=' 'Content-Type: application/octet-stream' 'Content-Transfer-Encoding: base64' \
    'Content-Disposition: attachment; filename="=?utf-8?q?caf=C3=A9.bin?="' '' 'AAEC' \
    '--=?utf-8?q?sep?=--' > enc.eml
  mimeparse enc.eml > record
  [ "$(jq -r .text record)" = "the text" ]
  [ "$(jq -r '.attachments[0].filename' record)" = "café.bin" ]
  [ "$(jq -r '.attachments[0].size' record)" = 3 ]
  [ "$(jq '.defects | length' record)" = 0 ]
}

# many N: a message of N attachments all named a.txt.
many() {
  python3 - "$1" <<'PY'
import sys
n = int(sys.argv[1])
out = ["From: a@example.org", "Subject: many", "MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="b"', ""]
for i in range(n):
    out += ["--b", 'Content-Disposition: attachment; filename="a.txt"', "", "x"]
out += ["--b--", ""]
sys.stdout.write("\n".join(out))
PY
}

@test "10,000 attachments of one name: unique names (in linear time: see FileName.ManyOfOneNameInLinearTime)" {
  many 10000 > many.eml
  mimeparse many.eml > record
  [ "$(jq -r '.attachments | map(.filename) | unique | length' record)" = 10000 ]
  [ "$(jq -r '.attachments[9999].filename' record)" = a-10000.txt ]
}

@test "a parameter comment that ends in a backslash is no internal error" {
  printf 'From: a@example.org\nContent-Type: text/plain; charset=utf-8; x(\\\n\nhi\n' > bs.eml
  run mimeparse bs.eml
  assert_success
  [ "$(jq -r .text <<< "$output")" = hi ]
}
