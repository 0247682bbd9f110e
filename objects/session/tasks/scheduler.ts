// The session's one alarm, shared by the turn heartbeat, the idle snapshot, scheduled tasks and the upload sweep.

import type { Task, TaskStore } from "./task-store";

const IDLE_SNAPSHOT_KEY = "idle-snapshot-at";
/**
 * A heartbeat less than this later than the one armed keeps the armed alarm: firing early while a turn
 * runs only re-arms it, and each step of a turn would otherwise write the alarm again.
 */
export const HEARTBEAT_SLACK_MS = 10 * 1000;

export interface SchedulerDeps {
  storage: DurableObjectStorage;
  tasks: TaskStore;
  /** Idle time before a snapshot; 0 turns idle snapshots off. */
  snapshotIdleMs: number;
  /** Starts a turn with the task's prompt. */
  runTask(task: Task): void;
  /** When unreferenced uploads next expire (the alarm then sweeps them), or null. */
  nextUploadExpiry?(): number | null;
}

export class Scheduler {
  readonly #deps: SchedulerDeps;
  #heartbeatAt: number | null = null;
  /** The stored idle-snapshot time as last read or written (undefined: not read yet); only this class writes it. */
  #idleAt: number | null | undefined;

  constructor(deps: SchedulerDeps) {
    this.#deps = deps;
  }

  /** While a turn runs, `at` keeps it alive; null (the turn ended) schedules the idle snapshot instead. */
  async heartbeat(at: number | null): Promise<void> {
    const armed = this.#heartbeatAt;
    if (at !== null && armed !== null && at >= armed && at - armed < HEARTBEAT_SLACK_MS) return;
    this.#heartbeatAt = at;
    if (at === null && this.#deps.snapshotIdleMs > 0) {
      this.#idleAt = Date.now() + this.#deps.snapshotIdleMs;
      await this.#deps.storage.put(IDLE_SNAPSHOT_KEY, this.#idleAt);
    }
    await this.rearm();
  }

  async #idle(): Promise<number | null> {
    if (this.#idleAt === undefined) this.#idleAt = (await this.#deps.storage.get<number>(IDLE_SNAPSHOT_KEY)) ?? null;
    return this.#idleAt;
  }

  /** Sets the alarm to the earliest of heartbeat, idle snapshot and next task, or clears it. */
  async rearm(): Promise<void> {
    const idle = await this.#idle();
    const times = [this.#heartbeatAt, idle, this.#deps.tasks.nextDue(), this.#deps.nextUploadExpiry?.() ?? null].filter(
      (t): t is number => t !== null,
    );
    if (times.length === 0) await this.#deps.storage.deleteAlarm();
    else await this.#deps.storage.setAlarm(Math.min(...times));
  }

  /** Runs the due tasks; returns whether the idle snapshot is due (and clears it). */
  async onAlarm(turnRunning: boolean): Promise<boolean> {
    for (const task of this.#deps.tasks.due()) {
      this.#deps.tasks.ran(task);
      this.#deps.runTask(task);
    }
    // Read from storage here (alarms are rare): the stored time is the truth the cache follows.
    this.#idleAt = undefined;
    const idle = await this.#idle();
    const snapshotDue = !turnRunning && idle !== null && idle <= Date.now();
    if (snapshotDue) {
      this.#idleAt = null;
      await this.#deps.storage.delete(IDLE_SNAPSHOT_KEY);
    }
    await this.rearm();
    return snapshotDue;
  }
}
