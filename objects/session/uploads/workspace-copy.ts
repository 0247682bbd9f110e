// A sandbox that, before its first operation (a turn's first tool call), copies the uploads messages listed
// into `uploads/<name>` of the workspace. The copy goes through the sandbox's own file writes, which run
// unprivileged through the runner like every file operation on the workspace.

import { log } from "../../../log/logger";
import type { Attachment } from "../../../protocol/uploads";
import { uploadPath } from "../../../protocol/uploads";
import type { SandboxBackend } from "../../../sandbox/types";
import { preparedSandbox } from "../storage/prepared-sandbox";

export interface UploadCopyDeps {
  sessionId: string;
  /** Uploads a message listed that are not in the workspace yet. */
  pending(): Attachment[];
  /** The upload's bytes from R2, or null when they are gone. */
  load(id: string): Promise<Uint8Array | null>;
  markCopied(id: string): void;
}

/** Copies the pending uploads; a failure is logged and leaves the upload pending for the next turn. */
export async function copyUploads(sandbox: SandboxBackend, deps: UploadCopyDeps): Promise<number> {
  let copied = 0;
  for (const upload of deps.pending()) {
    try {
      const bytes = await deps.load(upload.id);
      if (!bytes) continue;
      await sandbox.writeFile(deps.sessionId, uploadPath(upload.name), bytes);
      deps.markCopied(upload.id);
      copied++;
    } catch (error) {
      log.warn("upload copy failed", { session: deps.sessionId, upload: upload.id, error: String(error) });
    }
  }
  return copied;
}

export function withUploadCopy(sandbox: SandboxBackend, deps: UploadCopyDeps): SandboxBackend {
  let ready: Promise<unknown> | undefined;
  return preparedSandbox(sandbox, () => {
    ready ??= copyUploads(sandbox, deps);
    return ready;
  });
}
