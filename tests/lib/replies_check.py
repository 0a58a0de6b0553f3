#!/usr/bin/env python3
"""Compares mimeparse's records of the reply corpus with the expected files.

replies_check.py fields LIST RECORDS UNTRIMMED
    For each DIR/NAME.eml that LIST names, one a line, in the order of
    RECORDS and UNTRIMMED (one JSON record a line): NAME.text, NAME.quoted, NAME.signature
    against the record's text, text_quoted and signature; NAME.absent's
    lines must not be in its html; the non-blank lines of text,
    text_quoted and signature together must be those of the untrimmed
    record's text. Prints each mismatch; exits 1 when there is one.
replies_check.py bodies LIST RECORDS OUTDIR
    Writes each record's text to OUTDIR/NAME (for the peer test).
replies_check.py peer LIST OURS DIFFERENCES
    Compares OURS/NAME with OURS/NAME.peer for each case (lines without
    trailing blanks, runs of blank lines as one, none around), prints the
    agreement and each difference DIFFERENCES does not list, and each
    listed case that agrees; exits 1 when there is one of either.
"""
import difflib
import json
import os
import sys


def cases(listing):
    """The cases' paths without ".eml", in the order the list gives them."""
    with open(listing, encoding="utf-8") as f:
        return [line.rstrip("\n")[:-4] for line in f if line.strip()]


def records(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def lines(text):
    return sorted(line for line in text.split("\n") if line.strip())


def check_fields(listing, recs, untrimmed):
    names = cases(listing)
    assert len(names) == len(recs) == len(untrimmed), "one record per case"
    bad = checked = absent_files = 0
    for base, rec, whole in zip(names, recs, untrimmed):
        name = os.path.basename(base)
        for ext, key in (("text", "text"), ("quoted", "text_quoted"), ("signature", "signature")):
            if not os.path.exists(f"{base}.{ext}"):
                continue
            checked += 1
            with open(f"{base}.{ext}", encoding="utf-8") as f:
                want = f.read()
            got = rec[key] + "\n"
            if want != got:
                bad += 1
                print(f"mismatch: {name}.{ext}")
                sys.stdout.writelines(difflib.unified_diff(
                    want.splitlines(True), got.splitlines(True), "expected", "mimeparse"))
        if os.path.exists(f"{base}.absent"):
            absent_files += 1
            html = rec.get("html") or ""
            if not html:
                bad += 1
                print(f"{name}: no html in the record")
            with open(f"{base}.absent", encoding="utf-8") as f:
                for word in filter(None, f.read().split("\n")):
                    if word in html:
                        bad += 1
                        print(f'{name}: the html still has "{word}"')
        parts = lines(rec["text"]) + lines(rec["text_quoted"]) + lines(rec["signature"])
        if sorted(parts) != lines(whole["text"]):
            bad += 1
            print(f"lines lost or added: {name}")
    print(f"{len(names)} cases, {checked} fields and {absent_files} html checks, {bad} mismatches")
    return bad == 0 and absent_files >= 15


def write_bodies(listing, recs, out):
    names = cases(listing)
    assert len(names) == len(recs), "one record per case"
    for base, rec in zip(names, recs):
        with open(os.path.join(out, os.path.basename(base)), "w", encoding="utf-8") as f:
            f.write(rec["text"] + "\n")
    return True


def normal(text):
    out = []
    for line in text.split("\n"):
        line = line.rstrip()
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n")


def compare_peer(listing, ours, differences):
    with open(differences, encoding="utf-8") as f:
        listed = {line.split()[0] for line in f if line.strip() and not line.startswith("#")}
    names = [os.path.basename(base) for base in cases(listing)]
    agree, bad = 0, 0
    for name in names:
        with open(os.path.join(ours, name), encoding="utf-8") as f:
            mine = normal(f.read())
        with open(os.path.join(ours, name + ".peer"), encoding="utf-8") as f:
            theirs = normal(f.read())
        if mine == theirs:
            agree += 1
            if name in listed:
                bad += 1
                print(f"listed in peer-differences.txt but agrees now: {name}")
        elif name not in listed:
            bad += 1
            print(f"not in peer-differences.txt: {name}")
            sys.stdout.writelines(difflib.unified_diff(
                (mine + "\n").splitlines(True), (theirs + "\n").splitlines(True), "ours", "peer"))
    print(f"agreement with ruby-email-reply-trimmer: {agree} of {len(names)} cases ({100 * agree // len(names)} %)")
    return bad == 0 and len(names) >= 200


if __name__ == "__main__":
    verb, listing, path, other = sys.argv[1:5]
    if verb == "fields":
        ok = check_fields(listing, records(path), records(other))
    elif verb == "peer":
        ok = compare_peer(listing, path, other)
    else:
        ok = write_bodies(listing, records(path), other)
    sys.exit(0 if ok else 1)
