// The session's one alarm, shared by the turn heartbeat, the idle snapshot, scheduled tasks and the upload sweep.

import type { Task, TaskStore } from "./task-store";

const IDLE_SNAPSHOT_KEY = "idle-snapshot-at";

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

  constructor(deps: SchedulerDeps) {
    this.#deps = deps;
  }

  /** While a turn runs, `at` keeps it alive; null (the turn ended) schedules the idle snapshot instead. */
  async heartbeat(at: number | null): Promise<void> {
    this.#heartbeatAt = at;
    if (at === null && this.#deps.snapshotIdleMs > 0) {
      await this.#deps.storage.put(IDLE_SNAPSHOT_KEY, Date.now() + this.#deps.snapshotIdleMs);
    }
    await this.rearm();
  }

  /** Sets the alarm to the earliest of heartbeat, idle snapshot and next task, or clears it. */
  async rearm(): Promise<void> {
    const idle = await this.#deps.storage.get<number>(IDLE_SNAPSHOT_KEY);
    const times = [
      this.#heartbeatAt,
      idle ?? null,
      this.#deps.tasks.nextDue(),
      this.#deps.nextUploadExpiry?.() ?? null,
    ].filter((t): t is number => t !== null);
    if (times.length === 0) await this.#deps.storage.deleteAlarm();
    else await this.#deps.storage.setAlarm(Math.min(...times));
  }

  /** Runs the due tasks; returns whether the idle snapshot is due (and clears it). */
  async onAlarm(turnRunning: boolean): Promise<boolean> {
    for (const task of this.#deps.tasks.due()) {
      this.#deps.tasks.ran(task);
      this.#deps.runTask(task);
    }
    const idle = await this.#deps.storage.get<number>(IDLE_SNAPSHOT_KEY);
    const snapshotDue = !turnRunning && idle !== undefined && idle <= Date.now();
    if (snapshotDue) await this.#deps.storage.delete(IDLE_SNAPSHOT_KEY);
    await this.rearm();
    return snapshotDue;
  }
}
