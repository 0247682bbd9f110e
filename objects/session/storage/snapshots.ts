// Workspace snapshots in R2: archive + transcript + manifest (written last, so a half-written snapshot
// is never listed), checksum-verified restore, and retention of the newest N. Archives stream from the
// sandbox to R2 and back: the object never holds one whole in memory.

import type { SnapshotSummary } from "../../../protocol/api";
import type { SessionEvent } from "../../../protocol/frames";
import { isRecord } from "../../../protocol/json";
import { type SandboxBackend, SandboxError } from "../../../sandbox/types";
import { uploadArchive } from "./archive-upload";
import { deletePrefix, snapshotArchiveKey, snapshotManifestKey, snapshotsPrefix } from "./keys";
import { transcriptJsonl, transcriptMarkdown } from "./transcript-export";

/** What a snapshot's manifest in R2 holds: its summary and every file with its size and checksum. */
export interface SnapshotManifest extends Omit<SnapshotSummary, "fileCount"> {
  files: { path: string; size: number; sha256: string }[];
}

export type SnapshotOutcome<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      code:
        | "snapshot_not_found"
        | "snapshot_corrupt"
        | "bad_archive"
        | "sandbox_busy"
        | "workspace_full"
        | "sandbox_unavailable"
        | "storage_unavailable";
      message: string;
    };

export interface SnapshotDeps {
  bucket: R2Bucket;
  sandbox: SandboxBackend;
  sessionId: string;
  title: string;
  /** The stored events (for the transcript export). */
  events(): SessionEvent[];
  /** How many snapshots to keep. */
  retention: number;
}

/** Times a restore reads the archive again when its stream broke on the way to the sandbox. */
export const RESTORE_ATTEMPTS = 3;

/** Sortable ids: time first, then randomness. */
function snapshotId(now: number): string {
  return `${now.toString(36).padStart(10, "0")}-${crypto.randomUUID().slice(0, 8)}`;
}

async function fileList(deps: SnapshotDeps): Promise<SnapshotManifest["files"]> {
  const sums = await deps.sandbox.exec(deps.sessionId, {
    command: "find . -type f -print0 | xargs -0 -r sha256sum",
    timeoutMs: 120_000,
  });
  const sizes = await deps.sandbox.exec(deps.sessionId, {
    command: "find . -type f -printf '%s\\t%p\\n'",
    timeoutMs: 120_000,
  });
  const size = new Map(
    sizes.stdout
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const tab = line.indexOf("\t");
        return [line.slice(tab + 1).replace(/^\.\//, ""), Number(line.slice(0, tab))] as const;
      }),
  );
  return sums.stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const path = line.slice(66).replace(/^\.\//, "");
      return { path, size: size.get(path) ?? 0, sha256: line.slice(0, 64) };
    });
}

export async function takeSnapshot(deps: SnapshotDeps, reason: SnapshotManifest["reason"]): Promise<SnapshotManifest> {
  const now = Date.now();
  const id = snapshotId(now);
  const key = snapshotArchiveKey(deps.sessionId, id);
  const uploaded = await uploadArchive(deps.bucket, key, await deps.sandbox.archive(deps.sessionId));
  const files = await fileList(deps);
  const events = deps.events();
  const base = `${snapshotsPrefix(deps.sessionId)}${id}/`;
  const manifest: SnapshotManifest = {
    id,
    sessionId: deps.sessionId,
    createdAt: now,
    reason,
    archive: { key, bytes: uploaded.bytes, sha256: uploaded.sha256 },
    files,
    transcript: { jsonl: `${base}transcript.jsonl`, markdown: `${base}transcript.md` },
  };
  await deps.bucket.put(manifest.transcript.jsonl, transcriptJsonl(events), {
    httpMetadata: { contentType: "application/x-ndjson" },
  });
  await deps.bucket.put(manifest.transcript.markdown, transcriptMarkdown(deps.title, events), {
    httpMetadata: { contentType: "text/markdown; charset=utf-8" },
  });
  await deps.bucket.put(snapshotManifestKey(deps.sessionId, id), JSON.stringify(manifest), {
    httpMetadata: { contentType: "application/json" },
  });
  await prune(deps.bucket, deps.sessionId, deps.retention);
  return manifest;
}

function isManifest(value: unknown): value is SnapshotManifest {
  return (
    isRecord(value) &&
    typeof value.id === "string" &&
    isRecord(value.archive) &&
    typeof value.archive.sha256 === "string"
  );
}

/** Complete snapshots (those with a manifest), newest first. */
export async function listSnapshots(bucket: R2Bucket, sessionId: string): Promise<SnapshotManifest[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: snapshotsPrefix(sessionId), ...(cursor ? { cursor } : {}) });
    for (const object of page.objects)
      if (object.key.endsWith("/manifest.json")) ids.push(object.key.split("/").at(-2) ?? "");
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  const manifests = await Promise.all(
    ids
      .sort()
      .reverse()
      .map(async (id) => {
        const object = await bucket.get(snapshotManifestKey(sessionId, id));
        const value: unknown = object ? await object.json() : null;
        return isManifest(value) ? value : null;
      }),
  );
  return manifests.filter((m): m is SnapshotManifest => m !== null);
}

/** Keeps the newest `keep` complete snapshots; deletes older ones and any incomplete one older than them. */
async function prune(bucket: R2Bucket, sessionId: string, keep: number): Promise<void> {
  const complete = await listSnapshots(bucket, sessionId);
  for (const old of complete.slice(keep)) await deletePrefix(bucket, `${snapshotsPrefix(sessionId)}${old.id}/`);
}

/**
 * Restores a snapshot. The archive streams from R2 to the sandbox, which hashes it on the way and changes
 * nothing unless it matches the manifest's checksum; a command running in the workspace makes it refuse.
 */
export async function restoreSnapshot(
  deps: Pick<SnapshotDeps, "bucket" | "sandbox" | "sessionId">,
  id: string,
): Promise<SnapshotOutcome<SnapshotManifest>> {
  if (!/^[a-z0-9-]{1,64}$/.test(id)) return { ok: false, code: "snapshot_not_found", message: "no such snapshot" };
  const object = await deps.bucket.get(snapshotManifestKey(deps.sessionId, id));
  const manifest: unknown = object ? await object.json() : null;
  if (!isManifest(manifest)) return { ok: false, code: "snapshot_not_found", message: "no such snapshot" };
  for (let attempt = 1; ; attempt++) {
    const archive = await deps.bucket.get(manifest.archive.key);
    if (!archive)
      return { ok: false, code: "snapshot_corrupt", message: "the snapshot's archive is missing from storage" };
    try {
      await deps.sandbox.restore(deps.sessionId, archive.body, manifest.archive.sha256);
      return { ok: true, value: manifest };
    } catch (error) {
      // What is left of the stream is let go; one that broke on the way changed nothing (a restore is all or
      // nothing), so it is read again.
      await archive.body.cancel().catch(() => undefined);
      const broken = error instanceof SandboxError && error.code === "sandbox_unavailable";
      if (!broken || attempt >= RESTORE_ATTEMPTS) return restoreFailed(error);
    }
  }
}

/** What a failed restore answers; anything unexpected is thrown on. */
function restoreFailed(error: unknown): SnapshotOutcome<SnapshotManifest> {
  if (error instanceof SandboxError && error.code === "checksum_mismatch")
    return {
      ok: false,
      code: "snapshot_corrupt",
      message: "the snapshot's archive does not match its checksum; nothing was changed",
    };
  if (error instanceof SandboxError && (error.code === "sandbox_busy" || error.code === "workspace_full"))
    return { ok: false, code: error.code, message: `${error.message} (the restore changed nothing)` };
  throw error;
}
