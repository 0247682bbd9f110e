// A sandbox that, on its first use in this object's life, restores the newest snapshot into an empty
// workspace: files outlive the container's recycling.

import type { SandboxBackend } from "../../../sandbox/types";
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
  return {
    exec: async (id, request, hooks) => (await prepare(), sandbox.exec(id, request, hooks)),
    readFile: async (id, path) => (await prepare(), sandbox.readFile(id, path)),
    writeFile: async (id, path, content) => (await prepare(), sandbox.writeFile(id, path, content)),
    listFiles: async (id, path) => (await prepare(), sandbox.listFiles(id, path)),
    deleteFile: async (id, path) => (await prepare(), sandbox.deleteFile(id, path)),
    archive: (id) => sandbox.archive(id),
    restore: (id, archive) => sandbox.restore(id, archive),
    destroy: (id) => sandbox.destroy(id),
  };
}
