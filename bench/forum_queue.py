# bench/forum_queue.py WORK N SINGLES: a queue Maildir of N messages in
# WORK/template (a quarter new threads, the rest replies to a recent one,
# in delivery order) and SINGLES+20 more in WORK/singles replying to them;
# the same on every run (seeded). Used by bench/forumpost and
# scripts/compare-builds.
import os, random, sys
random.seed(11)
work, n, singles = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
words = ("le serveur refuse le montage NFS depuis la mise à jour du noyau, "
         "essayez l'option nolock ou vérifiez rpcbind et le pare-feu").split()
def text():
    return "\n".join(" ".join(random.choice(words) for _ in range(12))
                     for _ in range(random.randint(12, 50))) + "\n"
def message(i, tag):
    head = ("From: =?UTF-8?Q?Am=C3=A9lie_%d?= <user%d@example.org>\nTo: linux@forum.example.org\n"
            "Date: Mon, 23 Nov 2026 10:%02d:00 +0100\nMessage-ID: <%s%d@bench.example.org>\n"
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n"
            % (i % 300, i % 300, i % 60, tag, i))
    if i % 4 == 0 or i < 4:
        head += "Subject: Problème n°%d\n" % i
    else:
        parent = max(0, i - random.randint(1, 40)) if tag == "q" else random.randrange(n)
        head += ("Subject: Re: Problème\nIn-Reply-To: <q%d@bench.example.org>\n"
                 "References: <q%d@bench.example.org>\n" % (parent, parent))
    return head + "\n" + text()
for d in ("template/new", "template/cur", "template/tmp", "singles"):
    os.makedirs(os.path.join(work, d))
for i in range(n):
    with open("%s/template/new/%d.M%dP1Q%d.bench" % (work, 1700000000 + i, i, i), "w") as f:
        f.write(message(i, "q"))
for i in range(singles + 20):  # hyperfine's warm-up runs take some
    with open("%s/singles/%d" % (work, i), "w") as f:
        f.write(message(i, "s"))
