// Books the session's times with its alarm: the turn heartbeat, the idle snapshot and the next scheduled task.

import type { AlarmMultiplexer } from "../../shared/alarms";
import type { Task, TaskStore } from "./task-store";

/** The names a session books with its alarm (a channel's outbox books its own). */
export const SESSION_ALARMS = {
  /** While a turn runs: wakes an object that was reset, to seal the cut turn. */
  heartbeat: "turn-heartbeat",
  /** The next scheduled task. */
  tasks: "tasks",
  /** A snapshot of the workspace after the session went idle. */
  idleSnapshot: "idle-snapshot",
  /** The earliest Access token expiry of a connected socket: the socket is closed then. */
  tokenExpiry: "token-expiry",
  /** When unreferenced uploads next expire: the sweep removes them. */
  uploadSweep: "upload-sweep",
} as const;

/**
 * A heartbeat less than this later than the one booked keeps the booking: firing early while a turn runs
 * only books it again, and each step of a turn would otherwise write the alarm again.
 */
export const HEARTBEAT_SLACK_MS = 10 * 1000;

export interface SchedulerDeps {
  alarms: AlarmMultiplexer;
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

  constructor(deps: SchedulerDeps) {
    this.#deps = deps;
  }

  /** While a turn runs, `at` keeps it alive; null (the turn ended) books the idle snapshot instead. */
  heartbeat(at: number | null): void {
    const { alarms, snapshotIdleMs } = this.#deps;
    if (at !== null) {
      const booked = alarms.bookedAt(SESSION_ALARMS.heartbeat);
      if (booked !== null && at >= booked && at - booked < HEARTBEAT_SLACK_MS) return;
      alarms.book(SESSION_ALARMS.heartbeat, at);
      return;
    }
    alarms.cancel(SESSION_ALARMS.heartbeat);
    if (snapshotIdleMs > 0) alarms.book(SESSION_ALARMS.idleSnapshot, Date.now() + snapshotIdleMs);
  }

  /** Books the next due task, or cancels the booking when none is due. */
  rearm(): void {
    const next = this.#deps.tasks.nextDue();
    if (next === null) this.#deps.alarms.cancel(SESSION_ALARMS.tasks);
    else this.#deps.alarms.book(SESSION_ALARMS.tasks, next);
  }

  /** The tasks alarm: runs the due tasks (each marked run first, so a repeat finds it done), then books the next. */
  runDue(): void {
    for (const task of this.#deps.tasks.due()) {
      this.#deps.tasks.ran(task);
      this.#deps.runTask(task);
    }
    this.rearm();
  }
}
