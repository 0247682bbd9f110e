// Who is using each workspace: commands and file operations share it; a restore or a delete needs it alone.
// A restore while a command runs is refused (sandbox_busy); a delete stops the workspace's commands first.

import { SandboxError } from "../types.ts";

type Kind = "command" | "file";

interface Use {
  kind: Kind;
  abort: AbortController;
  done: Promise<unknown>;
}

interface State {
  uses: Set<Use>;
  /** What holds the workspace alone, if anything. */
  exclusive: string | null;
}

export class WorkspaceActivity {
  readonly #states = new Map<string, State>();

  #state(id: string): State {
    let state = this.#states.get(id);
    if (!state) {
      state = { uses: new Set(), exclusive: null };
      this.#states.set(id, state);
    }
    return state;
  }

  #release(id: string, state: State): void {
    if (state.uses.size === 0 && state.exclusive === null) this.#states.delete(id);
  }

  /** Runs `work` alongside other shared uses; refused while a restore or delete holds the workspace. */
  async shared<T>(id: string, kind: Kind, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const state = this.#state(id);
    if (state.exclusive !== null)
      throw new SandboxError("sandbox_busy", `the workspace is busy: a ${state.exclusive} is in progress`);
    const abort = new AbortController();
    const done = work(abort.signal);
    const use: Use = { kind, abort, done: done.catch(() => undefined) };
    state.uses.add(use);
    try {
      return await done;
    } finally {
      state.uses.delete(use);
      this.#release(id, state);
    }
  }

  /** Whether a command runs in the workspace now. */
  commandRunning(id: string): boolean {
    return [...(this.#states.get(id)?.uses ?? [])].some((use) => use.kind === "command");
  }

  /**
   * Runs `work` with the workspace alone. With `killRunning`, the workspace's commands are stopped first;
   * without, any use in progress makes it answer sandbox_busy.
   */
  async exclusive<T>(id: string, what: string, options: { killRunning: boolean }, work: () => Promise<T>): Promise<T> {
    const state = this.#state(id);
    if (state.exclusive !== null)
      throw new SandboxError("sandbox_busy", `the workspace is busy: a ${state.exclusive} is in progress`);
    if (state.uses.size > 0 && !options.killRunning) {
      this.#release(id, state);
      throw new SandboxError(
        "sandbox_busy",
        this.commandRunning(id)
          ? `a command is running in this workspace; cancel it before the ${what}`
          : `a file operation is in progress in this workspace; try the ${what} again`,
      );
    }
    state.exclusive = what;
    try {
      for (const use of state.uses) use.abort.abort();
      await Promise.all([...state.uses].map((use) => use.done));
      return await work();
    } finally {
      state.exclusive = null;
      this.#release(id, state);
    }
  }
}
