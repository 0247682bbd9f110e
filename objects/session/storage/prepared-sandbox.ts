// A sandbox whose workspace calls (exec and file operations) first wait for a preparation step: the
// shared shape of auto-restore and the upload copy. Archive, restore and destroy pass straight through.

import type { SandboxBackend } from "../../../sandbox/types";

export function preparedSandbox(sandbox: SandboxBackend, prepare: () => Promise<unknown>): SandboxBackend {
  /** Runs `call` once the preparation is done. */
  const after = <T>(call: () => Promise<T>) => prepare().then(call);
  return {
    exec: (id, request, hooks) => after(() => sandbox.exec(id, request, hooks)),
    readFile: (id, path) => after(() => sandbox.readFile(id, path)),
    writeFile: (id, path, content) => after(() => sandbox.writeFile(id, path, content)),
    listFiles: (id, path) => after(() => sandbox.listFiles(id, path)),
    deleteFile: (id, path) => after(() => sandbox.deleteFile(id, path)),
    archive: (id) => sandbox.archive(id),
    restore: (id, archive, sha256) => sandbox.restore(id, archive, sha256),
    destroy: (id) => sandbox.destroy(id),
  };
}
