// Workspace archives: a gzipped tar out; in, an archive checked entry by entry before it replaces anything.

import { spawn } from "node:child_process";
import { chown, lstat, mkdtemp, readdir, readlink, rename, rm, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, normalize, resolve, sep } from "node:path";
import { SandboxError } from "../types.ts";
import { SANDBOX_GID, SANDBOX_UID } from "./limits.ts";

function run(args: string[], input?: Uint8Array): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((done) => {
    const child = spawn("tar", args, { stdio: [input ? "pipe" : "ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let err = "";
    child.stdout?.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once("close", (code) => done({ code, stdout: Buffer.concat(out), stderr: err }));
    if (input && child.stdin) child.stdin.end(input);
  });
}

export async function createArchive(workspace: string): Promise<Uint8Array> {
  const { code, stdout, stderr } = await run([
    "--create",
    "--gzip",
    "--file=-",
    "--directory",
    workspace,
    "--numeric-owner",
    ".",
  ]);
  if (code !== 0) throw new SandboxError("sandbox_error", `tar failed: ${stderr.slice(0, 300)}`);
  return new Uint8Array(stdout);
}

/** Refuses absolute names, `..`, and anything but files, directories and symlinks (no devices, no hard links). */
async function checkListing(file: string): Promise<void> {
  const { code, stdout, stderr } = await run(["--list", "--verbose", "--gzip", "--file", file]);
  if (code !== 0) throw new SandboxError("bad_archive", `not a readable archive: ${stderr.slice(0, 200)}`);
  for (const line of stdout.toString("utf8").split("\n")) {
    if (line === "") continue;
    const type = line[0];
    if (type !== "-" && type !== "d" && type !== "l")
      throw new SandboxError("bad_archive", `entry type ${type} is not allowed: ${line.slice(0, 120)}`);
    const name = line.replace(/^\S+\s+\S+\s+\d+\s+\S+\s+\S+\s+/, "").replace(/ -> .*$/, "");
    const clean = normalize(name);
    if (isAbsolute(name) || clean === ".." || clean.startsWith(`..${sep}`)) {
      throw new SandboxError("bad_archive", `entry leaves the workspace: ${name}`);
    }
  }
}

/** After extraction: every symlink must point inside the tree. */
async function checkTree(root: string, dir = root): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) {
      const target = await readlink(path);
      const resolved = resolve(dirname(path), target);
      if (isAbsolute(target) || !(resolved === root || resolved.startsWith(`${root}${sep}`))) {
        throw new SandboxError("bad_archive", `symlink leaves the workspace: ${path.slice(root.length + 1)}`);
      }
    } else if (entry.isDirectory()) {
      await checkTree(root, path);
    } else if (!entry.isFile()) {
      throw new SandboxError("bad_archive", `not a file or directory: ${path.slice(root.length + 1)}`);
    }
  }
}

async function chownTree(path: string): Promise<void> {
  await chown(path, SANDBOX_UID, SANDBOX_GID);
  const stat = await lstat(path);
  if (!stat.isDirectory()) return;
  for (const name of await readdir(path)) {
    const child = join(path, name);
    if ((await lstat(child)).isSymbolicLink()) continue;
    await chownTree(child);
  }
}

/** Replaces `workspace` with the archive's content, or changes nothing and throws `bad_archive`. */
export async function restoreArchive(workspace: string, archive: Uint8Array): Promise<void> {
  const staging = await mkdtemp(`${workspace}.restore-`);
  const file = `${staging}.tgz`;
  try {
    await writeFile(file, archive);
    await checkListing(file);
    const { code, stderr } = await run([
      "--extract",
      "--gzip",
      "--file",
      file,
      "--directory",
      staging,
      "--no-same-owner",
      "--no-same-permissions",
    ]);
    if (code !== 0) throw new SandboxError("bad_archive", `extraction failed: ${stderr.slice(0, 200)}`);
    await checkTree(staging);
    await chownTree(staging);
    const old = `${workspace}.old-${Date.now()}`;
    await rename(workspace, old).catch(() => undefined);
    await rename(staging, workspace);
    await rm(old, { recursive: true, force: true });
  } finally {
    await rm(file, { force: true });
    await rm(staging, { recursive: true, force: true });
  }
}
