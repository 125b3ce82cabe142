#!/usr/bin/env python3
"""Mutation hunt for false "verified" verdicts in the built-in layers' code.

Applies one small mutation at a time to the implementation code of
layers/replicated/replicated.go and layers/wal/wal.go (never the
specifications or the abstraction relations), builds argocheck, runs the
systems that use the mutated code at the smallest, the default and some
larger sizes, stops at the first violation, and restores the file. Each
mutant is one JSON line on stdout (and in --out): CAUGHT (with the first
system and size that caught it), VERIFIED (every run verified), NOCOMPILE,
or TIMEOUT/ERROR.

    python3 scripts/mutate.py --out /tmp/mut.jsonl [--only SUBSTRING] [--list]

Run it from the repository root on a clean tree; it restores every file it
touches, also when interrupted. --build ID builds one mutant only, to run it
by hand at other sizes. The line numbers are those of commit 2c4ed03; the
hand-written mutations assert the text of their lines, which stops the
script when the files have moved.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

BIN = "/tmp/mut-bin-argocheck"

REP = "layers/replicated/replicated.go"
WAL = "layers/wal/wal.go"

# Sizes per system: smallest the catalogue accepts, defaults, larger ones.
RUNS = {
    REP: [
        "repdisk --blocks 1", "repdisk", "repdisk --oob",
        "repdisk/async --blocks 1", "repdisk/async", "repdisk/async --oob",
        "log/repdisk --blocks 1 --log 1", "log/repdisk", "log/repdisk --oob",
        "log/async-repdisk --log 1", "log/async-repdisk", "log/async-repdisk --oob",
        "repdisk --blocks 4 --values 3 --oob",
        "repdisk/async --blocks 3 --values 3 --oob",
        "log/async-repdisk --log 3", "log/async-repdisk --values 3",
    ],
    WAL: [
        "log --blocks 1 --log 1", "log", "log --oob",
        "log/async --log 1", "log/async", "log/async --oob",
        "log/repdisk --blocks 1 --log 1", "log/repdisk", "log/repdisk --oob",
        "log/async-repdisk --log 1", "log/async-repdisk", "log/async-repdisk --oob",
        "log --blocks 2 --log 4 --oob", "log --blocks 3 --values 3 --log 3 --oob",
        "log/async --blocks 2 --oob", "log/async --values 3 --log 3",
        "log/repdisk --blocks 3 --log 3 --oob",
        "log/async-repdisk --log 3", "log/async-repdisk --values 3",
    ],
}

# Implementation lines (1-based, inclusive ranges) and lines excluded
# because they run only in a named variant (mutating them changes nothing
# of the correct implementation).
SITES = {
    REP: {
        "ranges": [(96, 102), (110, 110), (119, 119), (125, 125), (128, 138),
                   (142, 146), (150, 154), (158, 163), (172, 188), (193, 210)],
        "exclude": {133, 175, 177, 206},
    },
    WAL: {
        "ranges": [(84, 84), (87, 87), (98, 102), (109, 112), (121, 125),
                   (131, 137), (228, 228), (237, 237), (261, 264), (268, 269),
                   (277, 287), (291, 291), (294, 294), (300, 309), (314, 325),
                   (333, 338), (344, 353)],
        "exclude": {302, 303, 304, 316, 318, 319, 320, 321, 322, 323, 349},
    },
}

# Hand-written mutations: (file, line, old, new, operator).
EXTRA = [
    (REP, 208, "b0)", "b1)", "VAR"),
    (REP, 202, "b0 == b1", "b0 == b0", "VAR"),
    (REP, 180, "disk.Addr(a)", "disk.Addr(0)", "VAR"),
    (REP, 179, "r.Size() - 1", "r.Size()", "LOOP"),
    (REP, 179, "a >= 0", "a >= 1", "LOOP"),
    (REP, 180, "failed || repaired && !r.repairAll", "failed", "COND"),
    (REP, 180, "failed || repaired && !r.repairAll", "repaired && !r.repairAll", "COND"),
    (REP, 180, "failed || repaired && !r.repairAll", "failed || repaired", "COND"),
    (REP, 180, "failed || repaired && !r.repairAll", "(failed || repaired) && !r.repairAll", "COND"),
    (REP, 110, "repairAll: v != FirstRepairOnly", "repairAll: false", "COND"),
    (REP, 96, "variant: v}", "variant: v, repairAll: true}", "COND"),
    (WAL, 278, "h.Len >= l.cfg.Log || a > 9", "h.Len >= l.cfg.Log", "COND"),
    (WAL, 278, "h.Len >= l.cfg.Log || a > 9", "a > 9", "COND"),
    (WAL, 278, "a > 9", "a > 8", "CONST"),
    (WAL, 283, "Committed: h.Committed", "Committed: false", "VAR"),
    (WAL, 283, "Committed: h.Committed", "Committed: true", "VAR"),
    (WAL, 284, "desc[h.Len] = a", "desc[0] = a", "VAR"),
    (WAL, 286, "valueAddr(h.Len)", "valueAddr(0)", "VAR"),
    (WAL, 307, "Len: h.Len", "Len: l.cfg.Log", "VAR"),
    (WAL, 334, "copyEntries(h.Len)", "copyEntries(l.cfg.Log)", "VAR"),
    (WAL, 334, "copyEntries(h.Len)", "copyEntries(h.Len - 1)", "VAR"),
    (WAL, 337, "EncodeHeader(Header{})", "EncodeHeader(Header{Len: 1})", "VAR"),
    (WAL, 346, "k < n", "k < l.cfg.Log", "LOOP"),
    (WAL, 351, "valueAddr(i)", "valueAddr(k)", "VAR"),
    (WAL, 352, "desc[i]", "desc[0]", "VAR"),
    (WAL, 352, "desc[i]", "desc[n-1]", "VAR"),
    (WAL, 111, "min(h.Len, l)", "max(h.Len, l)", "VAR"),
    (WAL, 111, "min(h.Len, l)", "h.Len", "VAR"),
    (WAL, 110, "b < 20 && h.Len <= l", "h.Len <= l", "COND"),
    (WAL, 110, "b < 20 && h.Len <= l", "b < 20", "COND"),
    (WAL, 333, "if h := l.header(); h.Committed {", "if h := l.header(); true {", "COND"),
    (WAL, 282, "l.d.Read(DescriptorAddr)", "0", "VAR"),
    (WAL, 345, "l.d.Read(DescriptorAddr)", "0", "VAR"),
]

# Hand-written mutations of several lines, for orders and placements:
# (file, [(line, old, new), ...], operator, description).
EXTRA2 = [
    (REP, [(143, "D0", "D1"), (145, "D1", "D0")], "ORDER", "write d1, then d0"),
    (REP, [(151, "D0", "D1"), (153, "D1", "D0")], "ORDER", "flush d1, then d0"),
    (REP, [(129, "D0", "D1"), (135, "D1", "D0")], "ORDER", "read d1, fall back to d0"),
    (REP, [(159, "D0", "D1"), (162, "D1", "D0")], "ORDER", "size of d1, fall back to d0"),
    (REP, [(179, "a := r.Size() - 1; a >= 0; a--", "a := 0; a < r.Size(); a++")], "ORDER", "recovery scans upward"),
    (REP, [(194, "b0, ok0 := r.d.Read(twodisk.D0, a)", "b1, ok1 := r.d.Read(twodisk.D1, a)"), (195, "ok0", "ok1"),
           (198, "b1, ok1 := r.d.Read(twodisk.D1, a)", "b0, ok0 := r.d.Read(twodisk.D0, a)"), (199, "ok1", "ok0")],
     "ORDER", "repair reads d1, then d0"),
    (REP, [(173, "switch", "r.d.Flush(twodisk.D0)\n\tr.d.Flush(twodisk.D1)\n\tswitch"), (185, "r.variant != RecoveryNoFlush", "false")],
     "MOVE", "recovery flushes before its repairs, not after"),
    (REP, [(143, "r.d.Write(twodisk.D0, a, b)", "if !r.d.Write(twodisk.D0, a, b) {\n\t\treturn\n\t}")], "COND",
     "write skips d1 when d0 has failed"),
    (REP, [(194, "b0, ok0 := r.d.Read(twodisk.D0, a)", "b0, ok0 := r.d.Read(twodisk.D0, a)\n\tif ok0 && !r.repairAll {\n\t\tr.d.Flush(twodisk.D0)\n\t}")],
     "ADD", "sync-only extra flush in repair (no-op)"),
    (WAL, [(333, "if h := l.header(); h.Committed {", "if h := l.header(); h.Committed {"), (336, "}", ""),
           (338, "l.flush(afterClear)", "l.flush(afterClear)\n\t}")], "MOVE", "apply clears the header only when committed"),
    (WAL, [(300, "h := l.header()", "h := l.header()\n\tif h.Len == 0 {\n\t\treturn\n\t}")], "ADD", "commit of an empty log does nothing"),
    (WAL, [(335, "l.flush(beforeClear)", ""), (336, "}", "}\n\tl.flush(beforeClear)")], "MOVE", "flush before clear also when not committed"),
    (WAL, [(283, "l.d.Write(HeaderAddr", "defer l.d.Write(HeaderAddr")], "ORDER", "write writes the header last"),
    (WAL, [(333, "if h := l.header(); h.Committed {", "h := l.header()\n\tif h.Committed {"),
           (338, "l.flush(afterClear)", "if h.Committed {\n\t\tl.flush(afterClear)\n\t}")], "COND", "flush after clear only when committed"),
    (WAL, [(306, "l.flush(beforeCommit)", "if h.Len > 0 {\n\t\tl.flush(beforeCommit)\n\t}")], "COND", "flush before commit only for a non-empty log"),
    (WAL, [(308, "l.flush(afterCommit)", "if h.Len != 1 {\n\t\tl.flush(afterCommit)\n\t}")], "COND", "no flush after commit for a one-entry log"),
    (WAL, [(335, "l.flush(beforeClear)", "if h.Len != 1 {\n\t\tl.flush(beforeClear)\n\t}")], "COND", "no flush before clear for a one-entry log"),
    (WAL, [(308, "l.flush(afterCommit)", "if h.Len != 2 {\n\t\tl.flush(afterCommit)\n\t}")], "COND", "no flush after commit for a two-entry log"),
    (WAL, [(306, "l.flush(beforeCommit)", "if h.Len != 1 {\n\t\tl.flush(beforeCommit)\n\t}")], "COND", "no flush before commit for a one-entry log"),
    (WAL, [(338, "l.flush(afterClear)", "if l.cfg.Log != 1 {\n\t\tl.flush(afterClear)\n\t}")], "COND", "no flush after clear for a log of capacity one"),
    (WAL, [(307, "Len: h.Len}", "Len: max(h.Len-1, 0)}")], "VAR", "commit drops the last entry"),
    (WAL, [(346, "k < n", "k < min(n, 2)")], "LOOP", "apply copies at most two entries"),
    (WAL, [(346, "k < n", "k < min(n, 3)")], "LOOP", "apply copies at most three entries"),
    (WAL, [(278, "h.Len >= l.cfg.Log", "h.Len >= min(l.cfg.Log, 3)")], "CONST", "capacity at most three"),
    (WAL, [(352, "desc[i]", "min(desc[i], 2)")], "VAR", "entries for addresses past 2 go to block 2"),
    (WAL, [(352, "desc[i]", "min(desc[i], 7)")], "VAR", "entries for addresses past 7 go to block 7"),
    (WAL, [(337, "EncodeHeader(Header{})", "EncodeHeader(Header{Len: min(l.header().Len, 0)})")], "VAR", "no-op rewrite of the clear"),
    # Values past the client's (the log's headers and descriptors): only
    # the stacks write them.
    (REP, [(144, "r.variant != WriteD0Only", "r.variant != WriteD0Only && b < 10")], "COND", "write skips d1 for blocks >= 10"),
    (REP, [(144, "r.variant != WriteD0Only", "r.variant != WriteD0Only && b < 8")], "COND", "write skips d1 for blocks >= 8"),
    (REP, [(202, "b0 == b1", "b0%10 == b1%10")], "COND", "repair takes blocks equal mod 10 as equal"),
    (REP, [(202, "b0 == b1", "b0 == b1 || b0 >= 8 && b1 >= 8")], "COND", "repair ignores differences among blocks >= 8"),
    (REP, [(202, "b0 == b1", "b0 == b1 || b0 >= 10 || b1 >= 10")], "COND", "repair ignores blocks >= 10"),
    (REP, [(130, "return b", "if b >= 10 {\n\t\t\tif b1, ok := r.d.Read(twodisk.D1, a); ok {\n\t\t\t\treturn b1\n\t\t\t}\n\t\t}\n\t\treturn b")],
     "ORDER", "read of a block >= 10 prefers d1"),
    # Flushes left out only for transactions longer than the async
    # systems' largest --log (3).
    (WAL, [(308, "l.flush(afterCommit)", "if h.Len != 3 {\n\t\tl.flush(afterCommit)\n\t}")], "COND", "no flush after commit for a three-entry log"),
    (WAL, [(308, "l.flush(afterCommit)", "if h.Len != 4 {\n\t\tl.flush(afterCommit)\n\t}")], "COND", "no flush after commit for a four-entry log"),
    (WAL, [(335, "l.flush(beforeClear)", "if h.Len != 4 {\n\t\tl.flush(beforeClear)\n\t}")], "COND", "no flush before clear for a four-entry log"),
    (WAL, [(306, "l.flush(beforeCommit)", "if h.Len != 4 {\n\t\tl.flush(beforeCommit)\n\t}")], "COND", "no flush before commit for a four-entry log"),
    (WAL, [(338, "l.flush(afterClear)", "if l.cfg.Log != 4 {\n\t\tl.flush(afterClear)\n\t}")], "COND", "no flush after clear for a log of capacity four"),
    # Client values past the largest --values (8: 0..7).
    (WAL, [(352, "l.d.Write(l.cfg.dataAddr(desc[i]), b)", "if b < 8 {\n\t\t\tl.d.Write(l.cfg.dataAddr(desc[i]), b)\n\t\t}")], "COND", "apply drops entries of values >= 8"),
    (REP, [(145, "r.d.Write(twodisk.D1, a, b)", "if b < 8 || b >= 10 {\n\t\t\tr.d.Write(twodisk.D1, a, b)\n\t\t}")], "COND", "write skips d1 for values 8 and 9"),
    # State kept in memory between calls.
    (WAL, [(221, "skip [4]bool", "skip [4]bool\n\tn int"), (277, "h := l.header()", "h := l.header()\n\tl.n++")], "STATE", "the log counts its writes in memory"),
    (WAL, [(221, "skip [4]bool", "skip [4]bool\n\tn int"), (277, "h := l.header()", "h := l.header()\n\tif l.n > 0 {\n\t\treturn false\n\t}\n\tl.n++")],
     "STATE", "the log refuses a second write on one instance"),
]

STMT_SKIP = re.compile(r"^\s*(\}|\{|if\b|for\b|switch\b|case\b|default:|\} else|func\b|return func|var\b)")


def code_part(line):
    i = line.find("//")
    return (line[:i], line[i:]) if i >= 0 else (line, "")


def mutants_for_line(path, no, line):
    code, comment = code_part(line)
    out = []

    def add(op, new_code, what):
        if new_code != code:
            out.append((op, new_code + comment, what))

    # Relational operators.
    for m in re.finditer(r"<=|>=|==|!=|(?<![<:\-])<(?![-=])|(?<![=\->])>(?!=)", code):
        alts = ["<", "<=", ">", ">=", "==", "!="]
        if "variant" in code or "v != " in code:
            alts = ["==", "!="]  # strings: only the comparison's sense matters
        for alt in alts:
            if alt != m.group(0):
                add("ROR", code[:m.start()] + alt + code[m.end():], f"{m.group(0)} -> {alt}")
    # Logical connectives.
    for m in re.finditer(r"&&|\|\|", code):
        alt = "||" if m.group(0) == "&&" else "&&"
        add("LCR", code[:m.start()] + alt + code[m.end():], f"{m.group(0)} -> {alt}")
    # Negation removed.
    for m in re.finditer(r"!(?!=)", code):
        add("NEG", code[:m.start()] + code[m.end():], "drop !")
    # Condition negated.
    m = re.match(r"^(\s*if\s+(?:[^;{]*;\s*)?)(.*?)(\s*\{\s*)$", code)
    if m:
        add("NEGC", m.group(1) + "!(" + m.group(2) + ")" + m.group(3), f"if !({m.group(2).strip()})")
    # Integer constants +-1.
    for m in re.finditer(r"(?<![\w.])\d+(?![\w.])", code):
        v = int(m.group(0))
        for alt in {v - 1, v + 1} - {-1}:
            add("CONST", code[:m.start()] + str(alt) + code[m.end():], f"{v} -> {alt}")
    # Arithmetic.
    for m in re.finditer(r"\+\+|--|\+=|-=|(?<![+\-])[+\-*/%](?![+\-=])", code):
        alts = {"++": ["--"], "--": ["++"], "+=": ["-="], "-=": ["+="], "+": ["-"], "-": ["+"],
                "*": ["/", "+"], "/": ["*", "%"], "%": ["/"]}.get(m.group(0), [])
        if m.group(0) == "*" and re.match(r"\w", code[m.end():m.end() + 1]) and code[m.start() - 1:m.start()] in ("&", " ", "("):
            continue  # a pointer type, not a product
        for alt in alts:
            add("AOR", code[:m.start()] + alt + code[m.end():], f"{m.group(0)} -> {alt}")
    # Disks swapped.
    for m in re.finditer(r"twodisk\.D([01])\b", code):
        alt = "twodisk.D" + ("1" if m.group(1) == "0" else "0")
        add("DISK", code[:m.start()] + alt + code[m.end():], f"D{m.group(1)} -> {alt[-2:]}")
    # Booleans.
    for m in re.finditer(r"\b(true|false)\b", code):
        alt = "false" if m.group(1) == "true" else "true"
        add("BOOL", code[:m.start()] + alt + code[m.end():], f"{m.group(1)} -> {alt}")
    # Statement deleted.
    if code.strip() and not STMT_SKIP.match(code) and not code.rstrip().endswith("{"):
        out.append(("DEL", "", "delete line"))
    return out


def all_mutants():
    muts = []
    for path, site in SITES.items():
        lines = open(path).read().split("\n")
        incl = [n for a, b in site["ranges"] for n in range(a, b + 1) if n not in site["exclude"]]
        for n in incl:
            for op, new, what in mutants_for_line(path, n, lines[n - 1]):
                muts.append({"file": path, "line": n, "op": op, "what": what,
                             "edits": [(n, new)], "orig": lines[n - 1].strip()})
        # Adjacent simple statements swapped.
        for n in incl:
            if n + 1 not in incl:
                continue
            a, b = lines[n - 1], lines[n]
            simple = lambda s: s.strip() and not STMT_SKIP.match(s) and not s.rstrip().endswith("{") and not s.strip().startswith("return")
            indent = lambda s: len(s) - len(s.lstrip())
            if simple(a) and simple(b) and indent(a) == indent(b):
                muts.append({"file": path, "line": n, "op": "SWAP", "what": f"swap lines {n},{n + 1}",
                             "edits": [(n, b), (n + 1, a)], "orig": a.strip() + " / " + b.strip()})
    for path, n, old, new, op in EXTRA:
        lines = open(path).read().split("\n")
        assert old in lines[n - 1], (path, n, old, lines[n - 1])
        muts.append({"file": path, "line": n, "op": op, "what": f"{old} -> {new}",
                     "edits": [(n, lines[n - 1].replace(old, new, 1))], "orig": lines[n - 1].strip()})
    for path, edits, op, what in EXTRA2:
        lines = open(path).read().split("\n")
        es = []
        for n, old, new in edits:
            assert old in lines[n - 1], (path, n, old, lines[n - 1])
            es.append((n, lines[n - 1].replace(old, new, 1)))
        muts.append({"file": path, "line": edits[0][0], "op": op, "what": what, "edits": es,
                     "orig": " / ".join(lines[n - 1].strip() for n, _, _ in edits)})
    for i, m in enumerate(muts):
        m["id"] = f"{'rep' if m['file'] == REP else 'wal'}-{i:03d}"
    return muts


def run_mutant(m, timeout):
    path = m["file"]
    orig = open(path).read()
    lines = orig.split("\n")
    for n, new in m["edits"]:
        lines[n - 1] = new
    try:
        open(path, "w").write("\n".join(lines))
        b = subprocess.run(["go", "build", "-o", BIN, "./cmd/argocheck"], capture_output=True, text=True)
        if b.returncode != 0:
            return {"result": "NOCOMPILE", "detail": b.stderr.strip().split("\n")[-1][:200]}
    finally:
        open(path, "w").write(orig)
    runs = []
    for cfg in RUNS[path]:
        args = [BIN, "check"] + cfg.split() + ["-q", "--workers", "1", "--time-limit", f"{timeout}s"]
        t = time.time()
        try:
            p = subprocess.run(args, capture_output=True, text=True, timeout=timeout + 15)
        except subprocess.TimeoutExpired:
            return {"result": "TIMEOUT", "cfg": cfg, "runs": runs}
        dt = round(time.time() - t, 2)
        if p.returncode == 1:
            kind = re.search(r"violation=(\S+)", p.stdout)
            return {"result": "CAUGHT", "cfg": cfg, "kind": kind.group(1) if kind else "?", "runs": runs + [(cfg, 1, dt)]}
        if p.returncode != 0:
            return {"result": "ERROR", "cfg": cfg, "rc": p.returncode,
                    "detail": (p.stderr.strip() or p.stdout.strip())[-300:], "runs": runs}
        runs.append((cfg, 0, dt))
    return {"result": "VERIFIED", "runs": runs}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="/tmp/mut.jsonl")
    ap.add_argument("--only", default="")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--timeout", type=int, default=30)
    ap.add_argument("--build", metavar="ID", help=f"only build mutant ID into {BIN} (to run it by hand)")
    args = ap.parse_args()
    if args.build:
        m = next(m for m in all_mutants() if m["id"] == args.build)
        RUNS[m["file"]] = []
        print(json.dumps({"id": m["id"], "what": m["what"], **run_mutant(m, args.timeout)}))
        return
    muts = [m for m in all_mutants() if args.only in m["id"] + " " + m["file"] + " " + m["op"]]
    if args.list:
        for m in muts:
            print(m["id"], m["file"], m["line"], m["op"], m["what"], "|", m["orig"])
        print(len(muts), "mutants", file=sys.stderr)
        return
    done = set()
    if os.path.exists(args.out):
        done = {json.loads(l)["id"] for l in open(args.out) if l.strip()}
    with open(args.out, "a") as out:
        for m in muts:
            if m["id"] in done:
                continue
            r = run_mutant(m, args.timeout)
            rec = {k: m[k] for k in ("id", "file", "line", "op", "what", "orig")}
            rec.update(r)
            line = json.dumps(rec)
            print(line, flush=True)
            out.write(line + "\n")
            out.flush()


if __name__ == "__main__":
    main()
