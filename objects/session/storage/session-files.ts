// A session's files in R2 as its Durable Object offers them: snapshots, restore and transcript exports.

import type { SandboxSlice } from "../../../config/sandbox";
import { log } from "../../../log/logger";
import type { SnapshotSummary } from "../../../protocol/api";
import type { SessionEvent } from "../../../protocol/frames";
import { createSandbox } from "../../../sandbox/factory";
import { SandboxError } from "../../../sandbox/types";
import type { EventLog } from "../event-log";
import type { MetaStore } from "../meta-store";
import type { SessionIdentity } from "../session-events";
import { artifactKey } from "./keys";
import { listSnapshots, restoreSnapshot, type SnapshotManifest, type SnapshotOutcome, takeSnapshot } from "./snapshots";
import { EXPORT_TYPES, transcriptJsonl, transcriptMarkdown } from "./transcript-export";

export interface SessionFilesDeps {
  env: Env;
  config: SandboxSlice;
  log: EventLog;
  meta: MetaStore;
  identity: SessionIdentity;
  /** Stores and broadcasts the `snapshot` event. */
  announce(manifest: SnapshotManifest): void;
}

export type { SnapshotSummary };

export const summary = ({ files, ...rest }: SnapshotManifest): SnapshotSummary => ({
  ...rest,
  fileCount: files.length,
});

function failed<T>(error: unknown): SnapshotOutcome<T> {
  if (error instanceof SandboxError) {
    const code =
      error.code === "bad_archive" || error.code === "sandbox_busy" || error.code === "workspace_full"
        ? error.code
        : error.code === "checksum_mismatch"
          ? "snapshot_corrupt"
          : "sandbox_unavailable";
    return { ok: false, code, message: error.message };
  }
  log.error("snapshot failed", { error: String(error) });
  return { ok: false, code: "storage_unavailable", message: "the snapshot store failed; try again" };
}

export class SessionFiles {
  readonly #deps: SessionFilesDeps;

  constructor(deps: SessionFilesDeps) {
    this.#deps = deps;
  }

  #events(): SessionEvent[] {
    return this.#deps.log.allOf(EXPORT_TYPES, 0);
  }

  #id(): string {
    return this.#deps.identity.id;
  }

  async snapshot(reason: SnapshotManifest["reason"]): Promise<SnapshotOutcome<SnapshotSummary>> {
    const config = this.#deps.config;
    try {
      const manifest = await takeSnapshot(
        {
          bucket: this.#deps.env.FILES,
          sandbox: createSandbox(this.#deps.env, config),
          sessionId: this.#id(),
          title: this.#deps.meta.get()?.title ?? "",
          events: () => this.#events(),
          retention: config.sandbox.snapshotRetention,
        },
        reason,
      );
      this.#deps.announce(manifest);
      return { ok: true, value: summary(manifest) };
    } catch (error) {
      return failed(error);
    }
  }

  async list(): Promise<SnapshotSummary[]> {
    return (await listSnapshots(this.#deps.env.FILES, this.#id())).map(summary);
  }

  async restore(snapshotId: string): Promise<SnapshotOutcome<SnapshotSummary>> {
    try {
      const sandbox = createSandbox(this.#deps.env, this.#deps.config);
      const outcome = await restoreSnapshot(
        { bucket: this.#deps.env.FILES, sandbox, sessionId: this.#id() },
        snapshotId,
      );
      return outcome.ok ? { ok: true, value: summary(outcome.value) } : outcome;
    } catch (error) {
      return failed(error);
    }
  }

  /** Writes the transcript as JSONL and Markdown artifacts; returns their names. */
  async exportTranscript(): Promise<string[]> {
    const stamp = new Date().toISOString().replaceAll(":", "-");
    const events = this.#events();
    const names = [`exports/transcript-${stamp}.jsonl`, `exports/transcript-${stamp}.md`];
    const [jsonl, markdown] = names as [string, string];
    const bucket = this.#deps.env.FILES;
    await bucket.put(artifactKey(this.#id(), jsonl), transcriptJsonl(events), {
      httpMetadata: { contentType: "application/x-ndjson" },
    });
    await bucket.put(
      artifactKey(this.#id(), markdown),
      transcriptMarkdown(this.#deps.meta.get()?.title ?? "", events),
      {
        httpMetadata: { contentType: "text/markdown; charset=utf-8" },
      },
    );
    return names;
  }
}
