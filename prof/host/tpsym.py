#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tpsym.py - names the call sites in tidepool's reports.

The runtime prints call sites as addresses ("site 0x08001a2b": the return
address of the code that allocated).  This reads a log (a file, or standard
input) and prints it with each such address followed by the function and
file:line it falls in, from the image's ELF:

    site 0x08001a2b make_buffers (demo/main.c:42)
    site 0x08003c11 list_grow (objects/tp_seq.c:129, inlined into tp_list_append)

    tools/py prof/host/tpsym.py build/netduinoplus2/demo.elf run.log

Symbolization is binutils' addr2line for the ELF's target (arm-none-eabi-
addr2line for Cortex-M images; plain addr2line otherwise).  A return address
points after the call: the Thumb bit is cleared and 2 subtracted, which lands
inside the call instruction, so the line is the call's.
"""
import os
import re
import shutil
import subprocess
import sys

SITE = re.compile(r"\bsite 0x([0-9a-fA-F]+)\b")


def elf_machine(path):
    """'arm', or something else, from the ELF header's e_machine."""
    with open(path, "rb") as f:
        head = f.read(20)
    if head[:4] != b"\x7fELF":
        raise SystemExit("tpsym: %s is not an ELF file" % path)
    little = head[5] == 1
    machine = int.from_bytes(head[18:20], "little" if little else "big")
    return "arm" if machine == 40 else "other"


def addr2line_tool(elf):
    if elf_machine(elf) == "arm":
        for tool in ("arm-none-eabi-addr2line",):
            if shutil.which(tool):
                return tool
        raise SystemExit("tpsym: arm-none-eabi-addr2line not found "
                         "(Debian: binutils-arm-none-eabi)")
    return "addr2line"


def call_address(site, arm):
    return (site & ~1) - 2 if arm else site - 1


def tidy_path(where, elf):
    """file:line with the file relative to the project the ELF was built in
    (the deepest directory the two share), and '..' folded."""
    path, _, line = where.rpartition(":")
    if not path.startswith("/"):
        return where
    path = os.path.normpath(path)
    root = os.path.commonpath([path, os.path.abspath(elf)])
    if root != "/" and not root.startswith(path):
        path = os.path.relpath(path, root)
    return "%s:%s" % (path, line)


def symbolize(elf, sites):
    """{site: (function, 'file:line', [outer functions])} for each site."""
    if not sites:
        return {}
    arm = elf_machine(elf) == "arm"
    sites = sorted(set(sites))
    query = "\n".join("0x%x" % call_address(s, arm) for s in sites) + "\n"
    out = subprocess.run([addr2line_tool(elf), "-e", elf, "-a", "-f", "-i", "-C"],
                         input=query, capture_output=True, text=True, check=True).stdout
    # output: for each address a line "0x...", then (function, file:line)
    # pairs, innermost inline frame first
    frames_of, lines, i = {}, out.splitlines(), 0
    index = -1
    while i < len(lines):
        if re.fullmatch(r"0x[0-9a-fA-F]+", lines[i].strip()):
            index += 1
            frames_of[sites[index]] = []
            i += 1
            continue
        where = lines[i + 1].strip() if i + 1 < len(lines) else "??:0"
        where = re.sub(r" \(discriminator \d+\)$", "", where)
        frames_of[sites[index]].append((lines[i].strip(), where))
        i += 2
    named = {}
    for site, frames in frames_of.items():
        frames = [(f, tidy_path(w, elf)) for f, w in frames]
        if not frames or frames[0][0] == "??":
            named[site] = ("??", "??:0", [])
        else:
            named[site] = (frames[0][0], frames[0][1], [f for f, _ in frames[1:]])
    return named


def annotate(text, names):
    def repl(m):
        site = int(m.group(1), 16)
        func, where, outer = names.get(site, ("??", "??:0", []))
        extra = ", inlined into %s" % outer[-1] if outer else ""
        return "%s %s (%s%s)" % (m.group(0), func, where, extra)
    return SITE.sub(repl, text)


def main(argv):
    if len(argv) not in (2, 3) or argv[1] in ("-h", "--help"):
        print(__doc__.strip().splitlines()[0])
        print("usage: tpsym.py IMAGE.elf [LOG]")
        return 2
    elf = argv[1]
    text = open(argv[2], errors="replace").read() if len(argv) == 3 else sys.stdin.read()
    sites = [int(m.group(1), 16) for m in SITE.finditer(text)]
    sys.stdout.write(annotate(text, symbolize(elf, sites)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
