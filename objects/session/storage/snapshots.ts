// Workspace snapshots in R2: archive + transcript + manifest (written last, so a half-written snapshot
// is never listed), checksum-verified restore, and retention of the newest N. Archives stream from the
// sandbox to R2 in parts and back in ranges: the object never holds one whole in memory.

import type { SnapshotSummary } from "../../../protocol/api";
import type { SessionEvent } from "../../../protocol/frames";
import { isRecord } from "../../../protocol/json";
import { type SandboxBackend, SandboxError } from "../../../sandbox/types";
import { ArchiveReadError, type DownloadOptions, downloadArchive } from "./archive-download";
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
  await prune(deps.bucket, deps.sessionId, deps.retention, Date.now());
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

/** Every snapshot id of the session, newest first, and whether it is complete (has its manifest). */
async function snapshotIds(bucket: R2Bucket, sessionId: string): Promise<{ id: string; complete: boolean }[]> {
  const prefix = snapshotsPrefix(sessionId);
  const complete = new Map<string, boolean>();
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, ...(cursor ? { cursor } : {}) });
    for (const object of page.objects) {
      const id = object.key.slice(prefix.length).split("/")[0] ?? "";
      complete.set(id, complete.get(id) === true || object.key.endsWith("/manifest.json"));
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return [...complete.keys()]
    .sort()
    .reverse()
    .map((id) => ({ id, complete: complete.get(id) === true }));
}

/** Complete snapshots (those with a manifest), newest first. */
export async function listSnapshots(bucket: R2Bucket, sessionId: string): Promise<SnapshotManifest[]> {
  const ids = (await snapshotIds(bucket, sessionId)).filter((s) => s.complete);
  const manifests = await Promise.all(
    ids.map(async ({ id }) => {
      const object = await bucket.get(snapshotManifestKey(sessionId, id));
      const value: unknown = object ? await object.json() : null;
      return isManifest(value) ? value : null;
    }),
  );
  return manifests.filter((m): m is SnapshotManifest => m !== null);
}

/** A snapshot not complete this long after it began never will be (its upload failed or its object was evicted). */
export const ABANDONED_SNAPSHOT_MS = 60 * 60 * 1000;

/** When a snapshot began, from its id. */
function snapshotTime(id: string): number {
  return Number.parseInt(id.split("-")[0] ?? "", 36);
}

/**
 * Keeps the newest `keep` complete snapshots and deletes older ones, and the files of any snapshot left incomplete
 * for ABANDONED_SNAPSHOT_MS (an archive whose manifest was never written would otherwise stay until the session
 * is deleted).
 */
async function prune(bucket: R2Bucket, sessionId: string, keep: number, now: number): Promise<void> {
  const ids = await snapshotIds(bucket, sessionId);
  const old = ids.filter((s) => s.complete).slice(keep);
  const abandoned = ids.filter((s) => !s.complete && now - snapshotTime(s.id) > ABANDONED_SNAPSHOT_MS);
  for (const { id } of [...old, ...abandoned]) await deletePrefix(bucket, `${snapshotsPrefix(sessionId)}${id}/`);
}

/**
 * Restores a snapshot. The archive is read from R2 in ranges, each when the sandbox has taken the one before, and
 * hashed on the way; the sandbox hashes it too and changes nothing unless all of it arrived and matched. A range
 * that breaks is read again on its own; a sandbox connection that breaks starts the restore over (up to
 * RESTORE_ATTEMPTS times). A command running in the workspace makes it refuse.
 */
export async function restoreSnapshot(
  deps: Pick<SnapshotDeps, "bucket" | "sandbox" | "sessionId">,
  id: string,
  options: DownloadOptions = {},
): Promise<SnapshotOutcome<SnapshotManifest>> {
  if (!/^[a-z0-9-]{1,64}$/.test(id)) return { ok: false, code: "snapshot_not_found", message: "no such snapshot" };
  const object = await deps.bucket.get(snapshotManifestKey(deps.sessionId, id));
  const manifest: unknown = object ? await object.json() : null;
  if (!isManifest(manifest)) return { ok: false, code: "snapshot_not_found", message: "no such snapshot" };
  const { key, sha256, bytes } = manifest.archive;
  const expected = typeof bytes === "number" ? { sha256, bytes } : { sha256 };
  for (let attempt = 1; ; attempt++) {
    const download = await downloadArchive(deps.bucket, key, expected, options);
    if (!download) return readFailed(new ArchiveReadError("missing", "the snapshot's archive is missing from storage"));
    try {
      await deps.sandbox.restore(deps.sessionId, download.stream, sha256);
      return { ok: true, value: manifest };
    } catch (error) {
      // What is left of the stream is let go; a restore that did not complete changed nothing.
      await download.stream.cancel().catch(() => undefined);
      const stopped = download.failure();
      if (stopped) return readFailed(stopped);
      const broken = error instanceof SandboxError && error.code === "sandbox_unavailable";
      if (!broken || attempt >= RESTORE_ATTEMPTS) return restoreFailed(error);
    }
  }
}

/** What a restore answers when reading the archive out of R2 stopped it. */
function readFailed(error: ArchiveReadError): SnapshotOutcome<SnapshotManifest> {
  if (error.reason === "storage_failed")
    return {
      ok: false,
      code: "storage_unavailable",
      message: `reading the snapshot from storage failed; nothing was changed; try again (${error.message})`,
    };
  return {
    ok: false,
    code: "snapshot_corrupt",
    message:
      error.reason === "missing"
        ? "the snapshot's archive is missing from storage"
        : "the snapshot's archive does not match its checksum; nothing was changed",
  };
}

/** What a failed restore answers; anything unexpected is thrown on. */
function restoreFailed(error: unknown): SnapshotOutcome<SnapshotManifest> {
  if (error instanceof SandboxError && error.code === "checksum_mismatch")
    return readFailed(new ArchiveReadError("checksum_mismatch", error.message));
  if (error instanceof SandboxError && (error.code === "sandbox_busy" || error.code === "workspace_full"))
    return { ok: false, code: error.code, message: `${error.message} (the restore changed nothing)` };
  throw error;
}
