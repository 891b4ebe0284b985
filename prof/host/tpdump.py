#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tpdump.py - finds, checks and reads tidepool heap dumps (prof/tp_heapdump.h).

A dump is framed text; it may sit among other output (a UART capture, a QEMU
log) with "\\r\\n" line ends.  Each frame's byte count and CRC-32 are checked.

    tools/py prof/host/tpdump.py FILE...          summary of every dump found
    tools/py prof/host/tpdump.py --check FILE...  also cross-check each dump:
        the extents must tile the heap and add up to the statistics (S lines)
        and the per-class table (C lines); exit status 1 if anything differs
    --against LOG   also compare with the runtime's own figures printed in LOG
                    as "STATS <label> key=value ..." and "CSTATS <label> <class>
                    <pools> <used> <free>" lines (the test images print them)

As a module: parse(text) -> [Dump], check(dump) -> [problems].
"""
import re
import sys
import zlib

BEGIN = re.compile(r"^-----BEGIN TPDUMP----- (.*)$")
END = re.compile(r"^-----END TPDUMP----- (\d+) ([0-9a-f]{8})$")


class DumpError(Exception):
    pass


class Dump:
    """One heap dump: version line, statistics, classes, regions, extents."""

    def __init__(self, label):
        self.label = label
        self.pool_size = self.grain = self.nclasses = self.small_max = 0
        self.stats = {}       # S: name -> int
        self.classes = []     # C: dicts
        self.extents = []     # (kind, addr, size, cls, used, total); kind in M P U F

    @property
    def pools(self):
        return [e for e in self.extents if e[0] == "P"]

    def class_size(self, c):
        return (c + 1) * self.grain


def parse(text):
    """Every dump in text, checked against its frame; raises DumpError."""
    dumps = []
    lines = text.replace("\r\n", "\n").replace("\r", "").split("\n")
    i = 0
    while i < len(lines):
        m = BEGIN.match(lines[i])
        if not m:
            i += 1
            continue
        label, body, i = m.group(1), [], i + 1
        while i < len(lines) and not END.match(lines[i]):
            if BEGIN.match(lines[i]):
                raise DumpError("dump '%s': a new dump starts before its END line" % label)
            body.append(lines[i] + "\n")
            i += 1
        if i == len(lines):
            raise DumpError("dump '%s': no END line (cut short?)" % label)
        end = END.match(lines[i])
        raw = "".join(body).encode()
        if len(raw) != int(end.group(1)):
            raise DumpError("dump '%s': %d bytes, its END line says %s" % (label, len(raw), end.group(1)))
        if zlib.crc32(raw) != int(end.group(2), 16):
            raise DumpError("dump '%s': CRC-32 %08x, its END line says %s"
                            % (label, zlib.crc32(raw), end.group(2)))
        dumps.append(read_body(label, body))
        i += 1
    return dumps


def read_body(label, body):
    d = Dump(label)
    for line in body:
        f = line.split()
        if not f:
            continue
        tag = f[0]
        if tag == "V":
            if f[1] != "1":
                raise DumpError("dump '%s': version %s not understood" % (label, f[1]))
            d.pool_size, d.grain, d.nclasses, d.small_max = (int(x) for x in f[2:6])
        elif tag == "S":
            for kv in f[1:]:
                k, _, v = kv.partition("=")
                d.stats[k] = int(v)
        elif tag == "C":
            c, size, per, pools, used, free, over = (int(x) for x in f[1:8])
            d.classes.append(dict(cls=c, block_size=size, per_pool=per, pools=pools,
                                  used=used, free=free, overhead=over))
        elif tag in "MUF":
            d.extents.append((tag, int(f[1], 16), int(f[2], 16), -1, 0, 0))
        elif tag == "P":
            d.extents.append(("P", int(f[1], 16), int(f[2], 16), int(f[3]), int(f[4]), int(f[5])))
        else:
            raise DumpError("dump '%s': unknown record %r" % (label, line.strip()))
    return d


def totals(d):
    """What the extents say, in the statistics' terms."""
    t = dict(heap_size=0, used_bytes=0, used_blocks=0, footprint=0, free_bytes=0,
             pools=0, free_pools=0)
    for kind, addr, size, cls, used, total in d.extents:
        t["heap_size"] += size
        if kind == "U":
            t["used_bytes"] += size - 4
            t["used_blocks"] += 1
            t["footprint"] += size
        elif kind == "F":
            t["free_bytes"] += size
        elif kind == "P":
            t["footprint"] += size
            t["used_bytes"] += used * d.class_size(cls) if cls >= 0 else 0
            t["used_blocks"] += used
            if cls >= 0 and used > 0:
                t["pools"] += 1
            else:
                t["free_pools"] += 1
    return t


def check(d):
    """Problems found cross-checking one dump (an empty list: it agrees)."""
    problems = []
    # the extents tile each region: each starts where the previous ended
    for a, b in zip(d.extents, d.extents[1:]):
        if b[1] < a[1] + a[2]:
            problems.append("extent at %x overlaps the one at %x" % (b[1], a[1]))
    t = totals(d)
    for k, v in t.items():
        if d.stats.get(k) != v:
            problems.append("%s: statistics say %s, extents add up to %d" % (k, d.stats.get(k), v))
    for c in d.classes:
        mine = [e for e in d.pools if e[3] == c["cls"]]
        got = dict(pools=len(mine), used=sum(e[4] for e in mine),
                   free=sum(e[5] - e[4] for e in mine))
        for k, v in got.items():
            if c[k] != v:
                problems.append("class %d %s: table says %d, pools add up to %d" % (c["cls"], k, c[k], v))
        if any(e[5] != c["per_pool"] for e in mine):
            problems.append("class %d: a pool's block count is not %d" % (c["cls"], c["per_pool"]))
    return problems


def against_log(d, text):
    """Compare a dump with STATS/CSTATS lines for its label in a log."""
    problems, seen = [], False
    for line in text.replace("\r", "").split("\n"):
        f = line.split()
        if len(f) > 2 and f[0] == "STATS" and f[1] == d.label:
            seen = True
            for kv in f[2:]:
                k, _, v = kv.partition("=")
                if d.stats.get(k) != int(v):
                    problems.append("%s: runtime printed %s, dump says %s" % (k, v, d.stats.get(k)))
        elif len(f) == 6 and f[0] == "CSTATS" and f[1] == d.label:
            c, pools, used, free = (int(x) for x in f[2:6])
            row = next((r for r in d.classes if r["cls"] == c), None)
            if row is None or (row["pools"], row["used"], row["free"]) != (pools, used, free):
                problems.append("class %d: runtime printed %s, dump says %s" % (c, f[3:], row))
    if not seen:
        problems.append("no STATS %s line in the log" % d.label)
    return problems


def summary(d):
    t = totals(d)
    n = {k: sum(1 for e in d.extents if e[0] == k) for k in "MPUF"}
    return ("%s: heap %d B, %d pools (%d in use), %d large blocks (%d B), %d free extents (%d B), "
            "%d metadata extents" % (d.label, t["heap_size"], n["P"], t["pools"], n["U"],
                                     sum(e[2] for e in d.extents if e[0] == "U"), n["F"],
                                     t["free_bytes"], n["M"]))


def main(argv):
    args = argv[1:]
    do_check = "--check" in args
    args = [a for a in args if a != "--check"]
    log = None
    if "--against" in args:
        i = args.index("--against")
        log = open(args[i + 1], errors="replace").read()
        del args[i:i + 2]
    if not args:
        print(__doc__.strip())
        return 2
    status = 0
    for path in args:
        try:
            dumps = parse(open(path, errors="replace").read())
        except DumpError as e:
            print("%s: %s" % (path, e))
            status = 1
            continue
        if not dumps:
            print("%s: no dump found" % path)
            status = 1
        for d in dumps:
            print(summary(d))
            problems = (check(d) if do_check else []) + (against_log(d, log) if log else [])
            for p in problems:
                print("  DIFFERS: " + p)
            if problems:
                status = 1
            elif do_check or log:
                print("  agrees: %d extents, %d classes%s" % (len(d.extents), len(d.classes),
                                                           ", and the runtime's figures" if log else ""))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
