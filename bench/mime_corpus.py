# bench/mime_corpus.py DIR N: N generated messages in DIR (00000.eml ...),
# the same on every run (seeded): plain, quoted-printable, multipart/
# alternative with HTML, forwarded message/rfc822, base64 attachments of
# 2 KB to 2 MB; encoded subjects in UTF-8 and ISO-8859-1. Used by
# bench/mimeparse and scripts/compare-builds.
import base64, quopri, random, sys
random.seed(7)
out, n = sys.argv[1], int(sys.argv[2])
words = ("le serveur refuse le montage NFS depuis la mise à jour du noyau, "
         "essayez l'option nolock ou vérifiez rpcbind et le pare-feu").split()
def para(k):
    return " ".join(random.choice(words) for _ in range(k))
def body_text(lines):
    return "\n".join(para(12) for _ in range(lines)) + "\n"
def subject(i):
    s = "Problème n°%d: %s" % (i, para(4))
    if i % 3 == 0:
        return "=?UTF-8?B?%s?=" % base64.b64encode(s.encode()).decode()
    if i % 3 == 1:
        return "=?ISO-8859-1?Q?%s?=" % quopri.encodestring(s.encode("latin-1", "replace"), header=True).decode()
    return s.encode("ascii", "replace").decode()
for i in range(n):
    head = ("From: =?UTF-8?Q?Am=C3=A9lie_%d?= <user%d@example.org>\nTo: linux@forum.example.org\n"
            "Subject: %s\nDate: Mon, 23 Nov 2026 10:%02d:00 +0100\nMessage-ID: <%d@example.org>\n"
            "MIME-Version: 1.0\n") % (i, i % 500, subject(i), i % 60, i)
    text = body_text(random.randint(5, 60))
    kind = i % 6
    if kind == 0:
        msg = head + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" + text
    elif kind == 1:
        qp = quopri.encodestring(text.encode()).decode()
        msg = head + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n" + qp
    elif kind in (2, 3):
        html = "<html><body>" + "".join("<p>%s <a href=\"https://example.org/%d\">lien</a></p>" % (l, k)
                                          for k, l in enumerate(text.splitlines())) + "</body></html>\n"
        msg = (head + "Content-Type: multipart/alternative; boundary=alt\n\n--alt\n"
               "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n" +
               quopri.encodestring(text.encode()).decode() + "\n--alt\n"
               "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n" +
               quopri.encodestring(html.encode()).decode() + "\n--alt--\n")
    elif kind == 4:
        inner = ("From: someone@example.net\nSubject: original\nContent-Type: text/plain; charset=iso-8859-1\n\n" +
                 text).encode("latin-1", "replace").decode("latin-1")
        msg = (head + "Content-Type: multipart/mixed; boundary=fw\n\n--fw\nContent-Type: text/plain\n\n"
               "See below.\n--fw\nContent-Type: message/rfc822\n\n" + inner + "\n--fw--\n")
    else:
        size = random.randint(50_000, 2_000_000) if i % 120 == 5 else random.randint(2_000, 20_000)
        blob = base64.encodebytes(random.randbytes(size)).decode()
        msg = (head + "Content-Type: multipart/mixed; boundary=mx\n\n--mx\nContent-Type: text/plain; charset=utf-8\n\n" +
               text + "--mx\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=\"r%d.pdf\"\n"
               "Content-Transfer-Encoding: base64\n\n" % i + blob + "--mx--\n")
    with open("%s/%05d.eml" % (out, i), "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write(msg)
