// Path confinement: a request's path resolves inside the session's workspace, or it is refused.

import { lstat, realpath } from "node:fs/promises";
import { dirname, isAbsolute, join, normalize, relative, sep } from "node:path";
import { SandboxError } from "../types.ts";

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

/**
 * The host path for `path` in `workspace`. Refuses absolute paths, `..` that leaves, and any symlink on
 * the way (including the last part) that points outside. `mustExist` also requires the target to exist.
 */
export async function confine(workspace: string, path: string, mustExist: boolean): Promise<string> {
  if (path.includes("\0")) throw new SandboxError("bad_request", "a path cannot contain NUL");
  if (isAbsolute(path)) throw new SandboxError("path_outside_workspace", `absolute paths are refused: ${path}`);
  const root = await realpath(workspace);
  const target = join(root, normalize(path));
  if (!inside(root, target)) throw new SandboxError("path_outside_workspace", `the path leaves the workspace: ${path}`);
  if (target === root) return root;
  let parent: string;
  try {
    parent = await realpath(dirname(target));
  } catch {
    if (mustExist) throw new SandboxError("file_not_found", `no such file: ${path}`);
    return target;
  }
  if (!inside(root, parent))
    throw new SandboxError("path_outside_workspace", `a symlink leads out of the workspace: ${path}`);
  try {
    const stat = await lstat(target);
    if (stat.isSymbolicLink()) {
      const resolved = await realpath(target).catch(() => null);
      if (resolved === null || !inside(root, resolved)) {
        throw new SandboxError("path_outside_workspace", `a symlink leads out of the workspace: ${path}`);
      }
      return resolved;
    }
  } catch (error) {
    if (error instanceof SandboxError) throw error;
    if (mustExist) throw new SandboxError("file_not_found", `no such file: ${path}`);
  }
  return join(parent, target.slice(dirname(target).length + 1));
}
