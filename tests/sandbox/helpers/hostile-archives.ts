// Hostile workspace archives for restore tests, built with Python's tarfile (no extraction on the test host).

import { execFileSync } from "node:child_process";

const BUILD = `
import io, sys, tarfile
kind = sys.argv[1]
out = io.BytesIO()
with tarfile.open(fileobj=out, mode="w:gz") as tar:
    def add(name, type=tarfile.REGTYPE, data=b"", link=""):
        info = tarfile.TarInfo(name)
        info.type = type
        info.linkname = link
        info.size = len(data) if type == tarfile.REGTYPE else 0
        info.mode = 0o755 if type == tarfile.DIRTYPE else 0o644
        tar.addfile(info, io.BytesIO(data) if type == tarfile.REGTYPE else None)
    if kind == "zip-slip":
        add("ok.txt", data=b"fine"); add("../../evil.txt", data=b"pwned")
    elif kind == "absolute":
        add("/tmp/evil.txt", data=b"pwned")
    elif kind == "absolute-symlink":
        add("pw", tarfile.SYMTYPE, link="/etc/passwd")
    elif kind == "dotdot-symlink":
        add("up", tarfile.SYMTYPE, link="../..")
    elif kind == "chained-symlinks":
        add("sub", tarfile.DIRTYPE); add("sub/l", tarfile.SYMTYPE, link="..")
        add("sub/x", tarfile.SYMTYPE, link="l/.."); add("sub/y", tarfile.SYMTYPE, link="x/..")
    elif kind == "symlink-then-file":
        add("d", tarfile.SYMTYPE, link="/tmp"); add("d/evil.txt", data=b"pwned")
    elif kind == "hard-link":
        add("a.txt", data=b"a"); add("b.txt", tarfile.LNKTYPE, link="a.txt")
    elif kind == "hard-link-out":
        add("passwd", tarfile.LNKTYPE, link="/etc/passwd")
    elif kind == "char-device":
        info = tarfile.TarInfo("null"); info.type = tarfile.CHRTYPE; info.devmajor = 1; info.devminor = 3; tar.addfile(info)
    elif kind == "fifo":
        info = tarfile.TarInfo("pipe"); info.type = tarfile.FIFOTYPE; tar.addfile(info)
    elif kind == "many-entries":
        for i in range(int(sys.argv[2])): add(f"f{i}", data=b"x")
    elif kind == "big":
        add("big.bin", data=b"\\0" * int(sys.argv[2]))
    elif kind == "fine":
        add("dir", tarfile.DIRTYPE); add("dir/a.txt", data=b"hello"); add("link", tarfile.SYMTYPE, link="dir/a.txt")
sys.stdout.buffer.write(out.getvalue())
`;

export type HostileKind =
  | "zip-slip"
  | "absolute"
  | "absolute-symlink"
  | "dotdot-symlink"
  | "chained-symlinks"
  | "symlink-then-file"
  | "hard-link"
  | "hard-link-out"
  | "char-device"
  | "fifo"
  | "many-entries"
  | "big"
  | "fine";

/** A gzipped tar of the given kind (`count` is the entries of "many-entries" or the bytes of "big"). */
export function archiveOf(kind: HostileKind, count = 0): Uint8Array {
  return new Uint8Array(execFileSync("python3", ["-c", BUILD, kind, String(count)]));
}

/** Every kind restore must refuse. */
export const HOSTILE: readonly HostileKind[] = [
  "zip-slip",
  "absolute",
  "absolute-symlink",
  "dotdot-symlink",
  "chained-symlinks",
  "symlink-then-file",
  "hard-link",
  "hard-link-out",
  "char-device",
  "fifo",
];
