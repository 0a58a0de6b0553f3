#!/usr/bin/env python3
"""check_mail.py [--delivered] FILE...: each file is a message forumnotify may send.

Parsed with Python's email package in strict mode (email.policy.strict
raises on every defect it finds), every part decoded; each line at most
998 bytes, header lines 7-bit, only the fields forumnotify writes, and
those that must be single, single (--delivered: as an MTA delivered it,
with its trace fields added). Prints one line per file; exit 1 on
the first failure, with what was wrong.
"""
import email
import email.policy
import sys

FIELDS = {"from", "reply-to", "to", "subject", "date", "message-id", "in-reply-to", "references",
          "list-id", "list-post", "list-unsubscribe", "list-unsubscribe-post", "list-archive",
          "precedence", "x-loop", "mime-version", "content-type"}
TRACE = {"return-path", "delivered-to", "received", "x-original-to"}
SINGLE = {"from", "reply-to", "to", "subject", "date", "message-id", "in-reply-to", "references",
          "list-id", "list-post", "list-unsubscribe", "precedence", "mime-version", "content-type"}


def fail(path, why):
    print("%s: %s" % (path, why))
    sys.exit(1)


def check(path):
    data = open(path, "rb").read()
    for n, line in enumerate(data.split(b"\n"), 1):
        if len(line.rstrip(b"\r")) > 998:
            fail(path, "line %d is %d bytes" % (n, len(line)))
    head = data.split(b"\n\n", 1)[0]
    if any(b >= 0x80 for b in head):
        fail(path, "8-bit bytes in the header")
    try:
        msg = email.message_from_bytes(data, policy=email.policy.strict)
        names = [k.lower() for k in msg.keys()]
        for name in names:
            if name not in FIELDS:
                fail(path, "unexpected field %s" % name)
        for name in SINGLE:
            if names.count(name) > 1:
                fail(path, "%s %d times" % (name, names.count(name)))
        for name in ("from", "to", "subject", "date", "message-id"):
            if name not in names:
                fail(path, "no %s" % name)
        for name, value in msg.items():  # each field parsed by its structure
            if value.defects:
                fail(path, "%s: %s" % (name, value.defects))
        for part in msg.walk():
            if part.defects:
                fail(path, "defects in a part: %s" % part.defects)
            if not part.is_multipart():
                part.get_content()
        if msg.defects:
            fail(path, "defects: %s" % msg.defects)
    except SystemExit:
        raise
    except Exception as e:  # strict mode raises the defect it met
        fail(path, "%s: %s" % (type(e).__name__, e))
    print("%s: ok, %s" % (path, msg["subject"][:60]))


files = sys.argv[1:]
if files and files[0] == "--delivered":
    files.pop(0)
    FIELDS |= TRACE
for p in files:
    check(p)
