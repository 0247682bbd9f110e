// A sandbox that, on its first use in this object's life, restores the newest snapshot into an empty
// workspace: files outlive the container's recycling.

import type { SandboxBackend } from "../../../sandbox/types";
import { preparedSandbox } from "./prepared-sandbox";
import { listSnapshots, restoreSnapshot } from "./snapshots";

export function withAutoRestore(sandbox: SandboxBackend, bucket: R2Bucket, sessionId: string): SandboxBackend {
  let ready: Promise<void> | undefined;
  const prepare = () => {
    ready ??= (async () => {
      const entries = await sandbox.listFiles(sessionId, ".");
      if (entries.length > 0) return;
      const [newest] = await listSnapshots(bucket, sessionId);
      if (newest) await restoreSnapshot({ bucket, sandbox, sessionId }, newest.id);
    })().catch((error: unknown) => {
      ready = undefined;
      console.warn(
        JSON.stringify({ level: "warn", msg: "auto-restore failed", session: sessionId, error: String(error) }),
      );
    });
    return ready;
  };
  return preparedSandbox(sandbox, prepare);
}
