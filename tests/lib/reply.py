#!/usr/bin/env python3
"""reply.py MESSAGE FROM TEXT [--no-threading]: a reply to MESSAGE (a file
as it landed in a Maildir), as a mail client writes one: To its Reply-To,
"Re: " and its subject, In-Reply-To and References from its ids (unless
--no-threading, as clients that drop them), the text above the quoted
original. Written to standard output."""
import email
import email.policy
import sys
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

path, sender, text = sys.argv[1:4]
plain = "--no-threading" in sys.argv[4:]
original = email.message_from_binary_file(open(path, "rb"), policy=email.policy.default)
reply = EmailMessage()
reply["From"] = sender
reply["To"] = str(original["Reply-To"] or original["From"])
subject = str(original["Subject"])
reply["Subject"] = subject if subject.lower().startswith("re:") else "Re: " + subject
reply["Date"] = formatdate()
reply["Message-ID"] = make_msgid(domain=sender.split("@")[-1].strip(">"))
if not plain:
    reply["In-Reply-To"] = original["Message-ID"]
    refs = str(original["References"] or "").split()
    reply["References"] = " ".join(refs + [str(original["Message-ID"])])
body = original.get_body(("plain",))
quoted = "".join("> " + line + "\n" for line in body.get_content().splitlines())
reply.set_content(text + "\n\n" + quoted)
sys.stdout.buffer.write(reply.as_bytes())
