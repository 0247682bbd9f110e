// A sandbox backend that only restores (with the given function): for tests of the restore path alone.

import type { SandboxBackend } from "../../sandbox/types";

export function restoreOnly(restore: SandboxBackend["restore"]): SandboxBackend {
  const unused = () => Promise.reject(new Error("not used by a restore"));
  return {
    exec: unused,
    readFile: unused,
    writeFile: unused,
    listFiles: unused,
    deleteFile: unused,
    archive: unused,
    destroy: unused,
    restore,
  };
}
