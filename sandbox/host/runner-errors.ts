// The runner's exit codes, turned into the sandbox's error codes.

import { SandboxError } from "../types.ts";

/** The error for a runner that ended with `code` and said `stderr`. */
export function failure(code: number | null, stderr: string): SandboxError {
  const message = stderr.split("\n")[0]?.slice(0, 300) || `the runner failed (${code})`;
  switch (code) {
    case 10:
      return new SandboxError("path_outside_workspace", message);
    case 11:
      return new SandboxError("file_not_found", message);
    case 12:
      return new SandboxError("file_too_large", message);
    case 13:
      return new SandboxError("bad_archive", message);
    case 14:
      return new SandboxError("bad_request", message);
    case 16:
      return new SandboxError("workspace_full", message);
    default:
      return new SandboxError("sandbox_error", message);
  }
}
