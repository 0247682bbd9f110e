// The save_artifact tool: copies a workspace file to R2, where the user can download it.

import { isArtifactName } from "../../protocol/artifact-name";
import type { SandboxBackend } from "../../sandbox/types";
import type { Tool } from "./types";
import { failure } from "./workspace";

const TYPES: Record<string, string> = {
  txt: "text/plain; charset=utf-8",
  md: "text/markdown; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  json: "application/json",
  jsonl: "application/x-ndjson",
  html: "text/html; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  pdf: "application/pdf",
  zip: "application/zip",
  gz: "application/gzip",
  js: "text/javascript; charset=utf-8",
  ts: "text/plain; charset=utf-8",
  py: "text/x-python; charset=utf-8",
};

export function contentTypeOf(name: string): string {
  return TYPES[name.split(".").pop()?.toLowerCase() ?? ""] ?? "application/octet-stream";
}

/** `keyOf` is the session's R2 key for an artifact name (the session's storage layout). */
export function artifactTool(
  sandbox: SandboxBackend,
  bucket: R2Bucket,
  keyOf: (sessionId: string, name: string) => string,
): Tool {
  return {
    spec: {
      name: "save_artifact",
      description: "Save a workspace file as an artifact the user can download (kept after the sandbox is gone).",
      parameters: {
        type: "object",
        properties: {
          path: { type: "string", description: "The file in the workspace" },
          name: { type: "string", description: "The artifact's name (default: the file's path)" },
        },
        required: ["path"],
      },
    },
    async run(args, ctx) {
      const path = typeof args.path === "string" ? args.path : "";
      const name = typeof args.name === "string" && args.name !== "" ? args.name : path;
      if (!isArtifactName(name)) return { ok: false, output: `not a valid artifact name: ${name}` };
      try {
        const bytes = await sandbox.readFile(ctx.sessionId, path);
        await bucket.put(keyOf(ctx.sessionId, name), bytes, {
          httpMetadata: { contentType: contentTypeOf(name) },
          customMetadata: { savedBy: ctx.user, sourcePath: path },
        });
        return { ok: true, output: `saved ${bytes.length} bytes as artifact "${name}"` };
      } catch (error) {
        return failure(error);
      }
    },
  };
}
