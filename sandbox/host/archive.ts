// Workspace archives, streamed: out, the runner's gzipped tar straight to the caller; in, the body is hashed
// while it lands in a root-only folder, checked and extracted by the runner as the sandbox user into a
// staging folder, and only then swapped in. The old tree is emptied by the runner too, never by the host.

import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { chown, mkdir, rename, rm, rmdir } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { SandboxError } from "../types.ts";
import { type JailOptions, runInJail, spawnInJail } from "./jail.ts";
import { SANDBOX_GID, SANDBOX_UID } from "./limits.ts";
import { failure } from "./runner-errors.ts";

type Jail = Omit<JailOptions, "workspace" | "input">;

/** Streams the workspace as a gzipped tar into `res`. */
export function streamArchive(jail: Jail, workspace: string, res: ServerResponse): Promise<void> {
  const child = spawnInJail({ ...jail, workspace }, ["archive"]);
  let err = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    if (err.length < 2048) err += chunk.toString("utf8");
  });
  res.writeHead(200, { "content-type": "application/gzip" });
  res.once("close", () => child.kill("SIGKILL"));
  return new Promise((resolve) => {
    child.stdout?.pipe(res, { end: false });
    child.once("close", (code) => {
      // A failed tar ends the body early without a valid gzip trailer: the caller's hash and gunzip see it.
      if (code !== 0) res.destroy(new Error(`tar failed: ${err.slice(0, 200)}`));
      else res.end();
      resolve();
    });
  });
}

/** Empties `dir` through the runner, then removes the (now empty) folder itself. */
export async function removeTree(jail: Jail, dir: string): Promise<void> {
  const result = await runInJail({ ...jail, workspace: dir }, ["clean"]);
  if (result.code !== 0) throw new SandboxError("sandbox_error", `cleanup failed: ${result.stderr.slice(0, 200)}`);
  await rmdir(dir);
}

export interface RestoreInput {
  body: IncomingMessage;
  maxBytes: number;
  /** The SHA-256 (hex) the body must have, when the caller knows it. */
  sha256: string | null;
  /** A root-only folder for the incoming archive. */
  incoming: string;
}

async function receive(input: RestoreInput): Promise<string> {
  const file = join(input.incoming, `${randomBytes(12).toString("hex")}.tgz`);
  const hash = createHash("sha256");
  let size = 0;
  try {
    await pipeline(
      input.body,
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          size += chunk.length;
          if (size > input.maxBytes)
            throw new SandboxError("file_too_large", `the archive is over ${input.maxBytes} bytes`);
          hash.update(chunk);
          yield chunk;
        }
      },
      createWriteStream(file, { mode: 0o644 }),
    );
  } catch (error) {
    await rm(file, { force: true });
    throw error;
  }
  const digest = hash.digest("hex");
  if (input.sha256 !== null && digest !== input.sha256.toLowerCase()) {
    await rm(file, { force: true });
    throw new SandboxError("checksum_mismatch", "the archive does not match its checksum; nothing was changed");
  }
  return file;
}

/** Replaces `workspace` with the archive's content, or changes nothing and throws. */
export async function restoreArchive(jail: Jail, workspace: string, input: RestoreInput): Promise<void> {
  const file = await receive(input);
  const staging = `${workspace}.restore-${randomBytes(6).toString("hex")}`;
  let swapped = false;
  try {
    await mkdir(staging, { mode: 0o755 });
    await chown(staging, SANDBOX_UID, SANDBOX_GID);
    const { limits } = jail;
    const result = await runInJail({ ...jail, workspace: staging, input: file }, [
      "extract",
      "/run/edgeclaw/input",
      String(limits.MAX_ARCHIVE_ENTRIES),
      String(limits.MAX_UNPACKED_BYTES),
      String(limits.MAX_WORKSPACE_BYTES),
    ]);
    if (result.code !== 0) throw failure(result.code, result.stderr);
    // Renames of the workspace folders themselves: their parent is the root-owned sandbox root.
    const old = `${workspace}.old-${randomBytes(6).toString("hex")}`;
    await rename(workspace, old);
    await rename(staging, workspace);
    swapped = true;
    await removeTree(jail, old);
  } finally {
    await rm(file, { force: true });
    if (!swapped) await removeTree(jail, staging).catch(() => undefined);
  }
}
