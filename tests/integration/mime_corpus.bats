#!/usr/bin/env bats
# mimeparse against an external corpus: enmime's test messages (CC0), from
# Debian's golang-github-jhillyerd-enmime-dev. Every message gives a record
# and a tree; then spot checks whose expected values were worked out by
# hand from the raw files, not copied from our output:
#  - header values by decoding the encoded words in the raw header lines
#    (=C5=82 is UTF-8 for ł, =c2=a2 for ¢, =E9 in ISO-8859-1 for é);
#  - attachment sizes and digests with python3's email package
#    (part.get_payload(decode=True), then hashlib.sha256), or from the
#    base64 text itself ("PGh0bWw+Cg==" is "<html>\n", 7 bytes, whose
#    sha256 sha256sum gives as b53a5538...);
#  - body text by reading the parts (and, for charsets, python3's codecs:
#    bytes.decode("big5"), bytes.decode("cp1250")).
# Text sizes are with LF line ends: mimeparse normalizes CRLF.

load ../lib/common

E=/usr/share/gocode/src/github.com/jhillyerd/enmime/testdata

setup() {
  [ -d "$E/mail" ] || skip "golang-github-jhillyerd-enmime-dev is not installed"
  common_setup
}
teardown() { [ -n "${T:-}" ] && common_teardown || true; }

field() { jq -r "$1" record; }

# The one file with no header field at all: mail/erroneous.raw is the single
# line "// Not an RFC-822 Document". Nothing in it is a message, so 65.
no_header=mail/erroneous.raw

@test "every enmime message gives a record and a tree (erroneous.raw: 65, no header)" {
  local f n=0
  for f in "$E"/mail/*.raw "$E"/low-quality/*.raw "$E"/parts/*.raw; do
    n=$((n + 1))
    if [ "${f#"$E"/}" = "$no_header" ]; then
      run -65 mimeparse "$f"
      run -65 mimeparse --tree "$f"
      continue
    fi
    run -0 mimeparse "$f"
    [ "$(printf '%s\n' "$output" | grep -v '^mimeparse: ' | jq -r .version)" = 1 ] || {
      echo "no record for $f"
      return 1
    }
    run -0 mimeparse --tree "$f"
    [[ "$output" == *"1 "* ]]
  done
  [ "$n" -ge 70 ]
}

@test "all of them in one process: one record per file" {
  local files=() f
  for f in "$E"/mail/*.raw "$E"/low-quality/*.raw "$E"/parts/*.raw; do
    [ "${f#"$E"/}" = "$no_header" ] || files+=("$f")
  done
  mimeparse "${files[@]}" > records 2>/dev/null
  [ "$(jq -s length records)" = "${#files[@]}" ]
}

@test "qp-utf8-header.raw: encoded words in Subject, To, From and Sender" {
  mimeparse "$E/mail/qp-utf8-header.raw" > record
  [ "$(field .subject)" = "MIME UTF8 Test ¢ More Text" ]
  [ "$(field '.to[0].name')" = "Mirosław Marczak" ]
  [ "$(field '.to[0].address')" = marczak@inbucket.com ]
  [ "$(field .from.name)" = "James Hillyerd" ]              # the first of two
  [ "$(field .from.address)" = jamehi03@jamehi03lx.noa.com ]
  [ "$(field .date)" = 1350674569 ]                         # date -u -d '2012-10-19 19:22:49'
  [ "$(mimeparse --header Sender "$E/mail/qp-utf8-header.raw")" = "André Pirard <PIRARD@vm1.ulg.ac.be>" ]
}

@test "qp-utf8-header-no-break.raw: the same header, the body follows without an empty line" {
  mimeparse "$E/mail/qp-utf8-header-no-break.raw" > record
  [ "$(field '.to[0].name')" = "Mirosław Marczak" ]
  [ "$(field '.defects[0]')" = "header ends without an empty line" ]
}

@test "attachment.raw: test.html, 7 bytes, its sha256" {
  mimeparse "$E/mail/attachment.raw" > record
  [ "$(field .text)" = "A text section" ]
  [ "$(field '.attachments | length')" = 1 ]
  [ "$(field '.attachments[0].filename')" = test.html ]
  [ "$(field '.attachments[0].content_type')" = text/html ]
  [ "$(field '.attachments[0].disposition')" = attachment ]
  [ "$(field '.attachments[0].size')" = 7 ]
  [ "$(field '.attachments[0].sha256')" = "$(printf '<html>\n' | sha256sum | cut -d' ' -f1)" ]
}

@test "attachment.raw: --extract gives the bytes the base64 says" {
  mimeparse --extract 1.2 "$E/mail/attachment.raw" > part
  [ "$(cat part)" = "<html>" ]
  [ "$(stat -c %s part)" = 7 ]
}

@test "mime-alternative.raw: the first text/plain alternative is the body" {
  mimeparse "$E/mail/mime-alternative.raw" > record
  [ "$(field .text)" = "Section one" ]
  [ "$(field .html)" = null ]
  [ "$(field '.attachments | length')" = 0 ]
}

# Its HTML shows the image (<img src="cid:8B84...@skynet">) right after
# the text, and the png part has that Content-Id.
@test "html-only-inline.raw: the HTML as text, the inline image as an attachment shown in it" {
  local f
  for f in mail/html-only-inline.raw low-quality/html-only-inline.raw; do
    mimeparse "$E/$f" > record
    [ "$(field .text)" = "Test of HTML section[image: favicon.png]" ]
    [ "$(field '.attachments[0].placeholder')" = "[image: favicon.png]" ]
    field .html | grep -q 'Test of HTML section'
    [ "$(field '.attachments | length')" = 1 ]
    [ "$(field '.attachments[0].filename')" = favicon.png ]
    [ "$(field '.attachments[0].content_type')" = image/png ]
    [ "$(field '.attachments[0].disposition')" = inline ]
    [ "$(field '.attachments[0].content_id')" = 8B8481A2-25CA-4886-9B5A-8EB9115DD064@skynet ]
    [ "$(field '.attachments[0].size')" = 687 ]
    [ "$(field '.attachments[0].sha256')" = b2da38772091039c7ad57eda8c1c99f50b714f7eff56335c56ad5c2af44082bd ]
  done
}

@test "other-multi-related.raw: plain text chosen, both related images attached" {
  mimeparse "$E/mail/other-multi-related.raw" > record
  [ "$(field .text)" = "Plain text." ]
  [ "$(field '[.attachments[].filename] | join(" ")')" = "image001.png image002.png" ]
  [ "$(field '[.attachments[].size] | join(" ")')" = "687 687" ]
}

@test "bad-final-boundary.raw: missing end boundary, the attachment still whole" {
  mimeparse "$E/low-quality/bad-final-boundary.raw" > record
  [ "$(field .text)" = "A text section" ]
  field '.defects[]' | grep -qx 'part 1: missing end boundary'
  [ "$(field '.attachments[0].filename')" = foo_9E5D72.zip ]
  [ "$(field '.attachments[0].size')" = 7 ]
  [ "$(field '.attachments[0].sha256')" = b53a55383d2f1f040ab010606d7911907f1a17f979f1d475fb4ac226243135e5 ]
}

@test "malformed-base64-attach.raw: bad base64 listed, the letters still decoded" {
  # "PGh0*bWw+Cg==": without the '*', "<html>\n".
  mimeparse "$E/low-quality/malformed-base64-attach.raw" > record
  field '.defects[]' | grep -qx 'part 1.2: bad base64'
  [ "$(field '.attachments[0].size')" = 7 ]
  [ "$(field '.attachments[0].sha256')" = b53a55383d2f1f040ab010606d7911907f1a17f979f1d475fb4ac226243135e5 ]
  mimeparse --tree "$E/low-quality/malformed-base64-attach.raw" | grep -qx 'defect: part 1.2: bad base64'
}

@test "mime-bad-content-transfer-encoding.raw: plain text labelled base64 is taken as it is" {
  mimeparse "$E/mail/mime-bad-content-transfer-encoding.raw" > record
  # The first and last words of the part, read off the file.
  [[ $(field .text) == "ploozdect  nispplul swunkglap "* ]] || fail "text: $(field .text | head -c 80)"
  [[ $(field .text) == *"plegpitwoospvow chuzgrunt" ]] || fail "end: $(field .text | tail -c 80)"
  field '.defects[]' | grep -qx 'part 1.1: declared base64 but plain text; taken as it is'
}

@test "unk-charset-part.raw: an unknown charset is a defect, the text still read" {
  mimeparse "$E/low-quality/unk-charset-part.raw" > record
  [ "$(field .text)" = "A text section" ]
  field '.defects[]' | grep -q '^part 1.1: unknown charset "fakescii"'
}

@test "unk-encoding-part.raw: an unknown transfer encoding is kept as it is" {
  # The body is "PGh0bWw+Cg==" and its line end: 13 bytes.
  mimeparse "$E/low-quality/unk-encoding-part.raw" > record
  field '.defects[]' | grep -qx 'part 1.2: unknown transfer encoding "base9000"'
  [ "$(field '.attachments[0].size')" = 13 ]
  [ "$(field '.attachments[0].sha256')" = "$(printf 'PGh0bWw+Cg==\n' | sha256sum | cut -d' ' -f1)" ]
}

@test "incorrect-charset.raw: UTF-8 labelled us-ascii is read as UTF-8, and said so" {
  mimeparse "$E/low-quality/incorrect-charset.raw" > record
  field .text | grep -qF '∮ E⋅da = Q,  n → ∞, ∑'
  field .text | grep -qF 'ði ıntəˈnæʃənəl'
  field '.defects[]' | grep -qx 'part 1.1: 8-bit text declared us-ascii; read as utf-8'
}

@test "chardet-success-big-5.raw: Big5 labelled us-ascii is detected" {
  # python3: the base64 body .decode("big5") starts "顏是家訓  北齊  顏之推".
  mimeparse "$E/parts/chardet-success-big-5.raw" > record
  [ "$(field '.text | split("\n")[0]')" = "顏是家訓  北齊  顏之推" ]
  field '.defects[]' | grep -q 'declared us-ascii; read as big5'
}

@test "non-mime-missing-charset.raw: undeclared HTML read in its <meta> charset" {
  # C2 80 in windows-1250 (python3 bytes.decode("cp1250")) is "Â€".
  mimeparse "$E/mail/non-mime-missing-charset.raw" > record
  [ "$(field .text)" = "Unencoded Euro Sign: Â€" ]
}

@test "mime-signed.raw: the signature part is no attachment" {
  mimeparse "$E/mail/mime-signed.raw" > record
  [ "$(field .text)" = "Section one

Section two" ]
  [ "$(field '.attachments | length')" = 0 ]
  mimeparse --tree "$E/mail/mime-signed.raw" | grep -q '^    1.1.2 application/pgp-signature .*"signature.asc"$'
}

@test "bad-header-start.raw: the indented first field is still the sender" {
  mimeparse "$E/low-quality/bad-header-start.raw" > record
  [ "$(field .from.name)" = "James Hillyerd" ]
  [ "$(field .from.address)" = james@makita.skynet ]
  field '.defects[]' | grep -qx 'header starts with a continuation line'
}

@test "bad-header-wrap.raw: an unfolded name= line still names the attachment" {
  mimeparse "$E/low-quality/bad-header-wrap.raw" > record
  [ "$(field '.attachments[0].filename')" = 7DDA4_foo_9E5D72.zip ]
  [ "$(field '.attachments[0].size')" = 7 ]
  ! field '.defects[]' | grep -q 'bad base64'
}

@test "mime-bad-8bit-filename.raw: a raw UTF-8 file name kept" {
  # name=\347\256\241\347\220\206.doc: UTF-8 for 管理.
  mimeparse "$E/mail/mime-bad-8bit-filename.raw" > record
  [ "$(field '.attachments[0].filename')" = "管理.doc" ]
}

@test "parts/quoted-printable.raw: soft breaks and =3D" {
  # "Start=3D=41=42=" + soft break + "=43=3DFinish=": Start=ABC=Finish
  mimeparse "$E/parts/quoted-printable.raw" > record
  [ "$(field .text)" = "Start=ABC=Finish" ]
}

@test "inlinemultipart.raw: the pdf attachment's size and digest" {
  mimeparse "$E/mail/inlinemultipart.raw" > record
  [ "$(field '.attachments[0].filename')" = test.pdf ]
  [ "$(field '.attachments[0].size')" = 524 ]
  [ "$(field '.attachments[0].sha256')" = 7e00f88c6d90c383dc2bfd893fbedb701ca7b85a120438df09cde4b81d37e4b0 ]
}
