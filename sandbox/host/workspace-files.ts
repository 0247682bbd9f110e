// The host's file operations on one workspace, each run by the runner as the sandbox user (see jail.ts).

import type { IncomingMessage, ServerResponse } from "node:http";
import type { FileEntry } from "../types.ts";
import { type JailOptions, runInJail } from "./jail.ts";
import { MAX_API_FILE_BYTES, MAX_WRITE_FILE_BYTES } from "./limits.ts";
import { failure } from "./runner-errors.ts";

type Jail = Omit<JailOptions, "workspace" | "input">;

const TYPES: Record<string, FileEntry["type"]> = { f: "file", d: "dir", l: "symlink" };

export function fileOps(jail: Jail, workspace: string) {
  const run = async (args: string[], input?: AsyncIterable<Uint8Array>) => {
    const result = await runInJail({ ...jail, workspace }, args, input);
    if (result.code !== 0) throw failure(result.code, result.stderr);
    return result;
  };
  return {
    async checkDir(path: string): Promise<void> {
      await run(["dir", path]);
    },

    /** Streams the file into `res` once the runner has checked it (errors come before any byte). */
    async read(path: string, res: ServerResponse): Promise<void> {
      const { stdout } = await run(["read", path, String(MAX_API_FILE_BYTES)]);
      res.writeHead(200, { "content-type": "application/octet-stream" }).end(stdout);
    },

    async write(path: string, body: IncomingMessage): Promise<{ path: string; size: number }> {
      const declared = Number(body.headers["content-length"] ?? "0");
      if (declared > MAX_WRITE_FILE_BYTES) throw failure(12, `the body is over ${MAX_WRITE_FILE_BYTES} bytes`);
      let size = 0;
      const counted = (async function* () {
        for await (const chunk of body as AsyncIterable<Buffer>) {
          size += chunk.length;
          yield chunk;
        }
      })();
      await run(["write", path, String(MAX_WRITE_FILE_BYTES), String(jail.limits.MAX_WORKSPACE_BYTES)], counted);
      return { path, size };
    },

    async remove(path: string): Promise<{ path: string }> {
      await run(["delete", path]);
      return { path };
    },

    async list(path: string): Promise<{ entries: FileEntry[] }> {
      const { stdout } = await run(["list", path]);
      const entries = stdout
        .toString("utf8")
        .split("\0")
        .filter((record) => record !== "")
        .map((record): FileEntry => {
          const [type = "", size = "0", ...name] = record.split("\t");
          return { name: name.join("\t"), type: TYPES[type] ?? "other", size: Number(size) };
        });
      return { entries: entries.sort((a, b) => a.name.localeCompare(b.name)) };
    },
  };
}
