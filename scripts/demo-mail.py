#!/usr/bin/env python3
"""scripts/demo-mail.py MBOX: append the demo's mail to MBOX, as an MTA
delivers it (From_ lines, '>From' quoting); with --confirm ADDRESS, append
Amelie's reply to the confirmation mail instead; with --bob MBOX, Bob's
new answer in the NFS thread; with --answer MESSAGE MBOX, Amelie's answer
to MESSAGE (a file in her Maildir), as her mail client writes it."""
import base64
import email
import email.policy
import sys

FORUM = "forum.example.org"


def mbox_append(path, sender, message):
    lines = message.split("\n")
    body = "\n".join((">" + l) if l.startswith("From ") else l for l in lines)
    with open(path, "a", encoding="utf-8", errors="surrogateescape") as out:
        out.write("From %s Tue Nov 24 09:00:00 2026\n%s\n\n" % (sender, body.rstrip("\n")))


def mail(headers, body):
    return "".join("%s: %s\n" % h for h in headers) + "\n" + body


def demo(path):
    m = []
    # 1. A new thread, latin1, with RFC 2047 encoded headers.
    m.append(("amelie@example.org", mail([
        ("Return-Path", "<amelie@example.org>"),
        ("From", "=?ISO-8859-1?Q?Am=E9lie_Durand?= <amelie@example.org>"),
        ("To", "linux@" + FORUM),
        ("Subject", "=?ISO-8859-1?Q?Probl=E8me_de_montage_NFS?="),
        ("Date", "Tue, 24 Nov 2026 09:00:00 +0100"),
        ("Message-ID", "<nfs-1@example.org>"),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=iso-8859-1"),
        ("Content-Transfer-Encoding", "quoted-printable")],
        "Depuis la mise =E0 jour, mon serveur refuse le montage NFS.\n"
        "D=E9j=E0 essay=E9 de red=E9marrer rpcbind.\n")))
    # 2. A reply by In-Reply-To, format=flowed, with a quote and a signature.
    m.append(("bob@example.net", mail([
        ("Return-Path", "<bob@example.net>"),
        ("From", "Bob <bob@example.net>"),
        ("To", "linux@" + FORUM),
        ("Subject", "Re: =?UTF-8?Q?Probl=C3=A8me_de_montage_NFS?="),
        ("Date", "Tue, 24 Nov 2026 09:30:00 +0100"),
        ("Message-ID", "<nfs-2@example.net>"),
        ("In-Reply-To", "<nfs-1@example.org>"),
        ("References", "<nfs-1@example.org>"),
        ("Content-Type", "text/plain; charset=utf-8; format=flowed")],
        "Try the nolock mount option, it fixed the same \nproblem here.\n\n"
        "On Tue, 24 Nov 2026 at 09:00, Am\u00e9lie Durand wrote:\n"
        "> Depuis la mise \u00e0 jour, mon serveur refuse le montage NFS.\n\n-- \nBob\n")))
    # 3. A reply by References only (its client dropped In-Reply-To).
    m.append(("carol@example.com", mail([
        ("Return-Path", "<carol@example.com>"),
        ("From", "Carol <carol@example.com>"),
        ("To", "linux@" + FORUM),
        ("Subject", "Re: Probl\u00e8me de montage NFS"),
        ("Date", "Tue, 24 Nov 2026 10:00:00 +0100"),
        ("Message-ID", "<nfs-3@example.com>"),
        ("References", "<nfs-1@example.org> <nfs-2@example.net>"),
        ("Content-Type", "text/plain; charset=utf-8")],
        "nolock worked for me too, but check that rpc.statd runs.\n\nSent from my phone\n")))
    # 4. HTML only, with a script that must not survive.
    m.append(("dave@example.org", mail([
        ("Return-Path", "<dave@example.org>"),
        ("From", "Dave <dave@example.org>"),
        ("To", "linux@" + FORUM),
        ("Subject", "Kernel 6.12 and Wi-Fi"),
        ("Date", "Tue, 24 Nov 2026 10:15:00 +0100"),
        ("Message-ID", "<wifi-1@example.org>"),
        ("Content-Type", "text/html; charset=utf-8")],
        "<html><body><p>Since <b>6.12</b> my Wi-Fi drops every hour.</p>"
        "<ul><li>iwlwifi</li><li>firmware 89</li></ul>"
        "<p>See <a href=\"https://bugzilla.kernel.org/\">the bug tracker</a>.</p>"
        "<script>alert('owned')</script></body></html>\n")))
    # 5. A new thread with a PDF attachment.
    pdf = b"%PDF-1.4\n% demo\n" + bytes(range(256)) * 8
    m.append(("amelie@example.org", mail([
        ("Return-Path", "<amelie@example.org>"),
        ("From", "Am\u00e9lie Durand <amelie@example.org>"),
        ("To", "linux@" + FORUM),
        ("Subject", "My fstab, for the record"),
        ("Date", "Tue, 24 Nov 2026 10:30:00 +0100"),
        ("Message-ID", "<fstab-1@example.org>"),
        ("MIME-Version", "1.0"),
        ("Content-Type", "multipart/mixed; boundary=\"b1\"")],
        "--b1\nContent-Type: text/plain; charset=utf-8\n\nHere is my fstab, as a PDF.\n"
        "--b1\nContent-Type: application/pdf\n"
        "Content-Disposition: attachment; filename=\"fstab.pdf\"\n"
        "Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(pdf).decode() + "--b1--\n")))
    # 6. A subscription request: it must be confirmed by the address itself.
    m.append(("amelie@example.org", mail([
        ("Return-Path", "<amelie@example.org>"),
        ("From", "Am\u00e9lie Durand <amelie@example.org>"),
        ("To", "linux-subscribe@" + FORUM),
        ("Subject", "subscribe"),
        ("Date", "Tue, 24 Nov 2026 10:40:00 +0100"),
        ("Message-ID", "<sub-1@example.org>")], "subscribe\n")))
    # 7. An out-of-office reply: never posted, never answered.
    m.append(("bob@example.net", mail([
        ("Return-Path", "<bob@example.net>"),
        ("From", "Bob <bob@example.net>"),
        ("To", "linux@" + FORUM),
        ("Subject", "Automatic reply: Kernel 6.12 and Wi-Fi"),
        ("Auto-Submitted", "auto-replied"),
        ("Date", "Tue, 24 Nov 2026 10:16:00 +0100"),
        ("Message-ID", "<ooo-1@example.net>")], "I am out of the office until Monday.\n")))
    # 8. A bounce from a mail system.
    m.append(("MAILER-DAEMON", mail([
        ("Return-Path", "<>"),
        ("From", "Mail Delivery System <MAILER-DAEMON@mx.example.com>"),
        ("To", "linux@" + FORUM),
        ("Subject", "Undelivered Mail Returned to Sender"),
        ("Date", "Tue, 24 Nov 2026 10:50:00 +0100"),
        ("Message-ID", "<bounce-1@mx.example.com>"),
        ("Content-Type", "multipart/report; report-type=delivery-status; boundary=r")],
        "--r\n\nThis is the mail system.\n--r\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.example.com\n--r--\n")))
    # 9. A member's post to the members-only forum, and a stranger's.
    m.append(("amelie@example.org", mail([
        ("Return-Path", "<amelie@example.org>"),
        ("From", "Am\u00e9lie Durand <amelie@example.org>"),
        ("To", "kernel@" + FORUM),
        ("Subject", "Scheduler patches for review"),
        ("Date", "Tue, 24 Nov 2026 11:00:00 +0100"),
        ("Message-ID", "<sched-1@example.org>")], "Who has time to review the EEVDF patches?\n")))
    m.append(("mallory@evil.example", mail([
        ("Return-Path", "<mallory@evil.example>"),
        ("From", "Kernel Admin <mallory@evil.example>"),
        ("To", "kernel@" + FORUM),
        ("Subject", "URGENT: reset your password"),
        ("Date", "Tue, 24 Nov 2026 11:05:00 +0100"),
        ("Message-ID", "<phish-1@evil.example>")], "Click here.\n")))
    # 10. A forum that does not exist.
    m.append(("bob@example.net", mail([
        ("Return-Path", "<bob@example.net>"),
        ("From", "Bob <bob@example.net>"),
        ("To", "windows@" + FORUM),
        ("Subject", "Is there a Windows forum?"),
        ("Date", "Tue, 24 Nov 2026 11:10:00 +0100"),
        ("Message-ID", "<win-1@example.net>")], "Just asking.\n")))
    for sender, message in m:
        mbox_append(path, sender, message)


def confirm(path, address):
    mbox_append(path, "amelie@example.org", mail([
        ("Return-Path", "<amelie@example.org>"),
        ("From", "Am\u00e9lie Durand <amelie@example.org>"),
        ("To", address),
        ("Subject", "Re: Confirm: subscribe linux"),
        ("Date", "Tue, 24 Nov 2026 11:20:00 +0100"),
        ("Message-ID", "<sub-2@example.org>")], "Yes, that was me.\n"))


def bob(path):
    mbox_append(path, "bob@example.net", mail([
        ("Return-Path", "<bob@example.net>"),
        ("From", "Bob <bob@example.net>"),
        ("To", "linux@" + FORUM),
        ("Subject", "Re: Probl\u00e8me de montage NFS"),
        ("Date", "Tue, 24 Nov 2026 11:40:00 +0100"),
        ("Message-ID", "<nfs-5@example.net>"),
        ("In-Reply-To", "<nfs-3@example.com>"),
        ("References", "<nfs-1@example.org> <nfs-2@example.net> <nfs-3@example.com>"),
        ("Content-Type", "text/plain; charset=utf-8")],
        "Did nolock help? If not, check that rpcbind listens: rpcinfo -p.\n\n-- \nBob\n"))


def answer(received, path):
    """Amelie's mail client answering the forum's message as it landed."""
    with open(received, "rb") as f:
        original = email.message_from_binary_file(f, policy=email.policy.default)
    quoted = "".join("> %s\n" % line for line in original.get_body(("plain",)).get_content().splitlines()[:3])
    refs = str(original["References"] or "").split() + [str(original["Message-ID"])]
    mbox_append(path, "amelie@example.org", mail([
        ("Return-Path", "<amelie@example.org>"),
        ("From", "Am\u00e9lie Durand <amelie@example.org>"),
        ("To", str(original["Reply-To"])),
        ("Subject", "Re: " + str(original["Subject"]).removeprefix("Re: ")),
        ("Date", "Tue, 24 Nov 2026 12:05:00 +0100"),
        ("Message-ID", "<nfs-6@example.org>"),
        ("In-Reply-To", str(original["Message-ID"])),
        ("References", " ".join(refs)),
        ("Content-Type", "text/plain; charset=utf-8")],
        "rpcbind was not listening: restarted it, and the mount works now. Thanks!\n\n"
        "Bob wrote:\n" + quoted))


if __name__ == "__main__":
    if sys.argv[1] == "--confirm":
        confirm(sys.argv[3], sys.argv[2])
    elif sys.argv[1] == "--bob":
        bob(sys.argv[2])
    elif sys.argv[1] == "--answer":
        answer(sys.argv[2], sys.argv[3])
    else:
        demo(sys.argv[1])
