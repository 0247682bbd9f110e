// A session's scheduled tasks in its SQLite: create, list, pause, delete, and what is due.

import { and, asc, eq, isNotNull, lte } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import type { NewTask } from "../../../agent/tools/schedule";
import type { Task } from "../../../protocol/api";
import { tasks } from "../schema";
import { parseCron } from "./cron";

export type { NewTask, Task };

export const MAX_TASKS = 100;
export const MAX_PROMPT_CHARS = 8_000;

/**
 * A task's next run after `after`: the cron's next match, or nothing for a one-off that ran. A stored
 * expression that no longer parses (an older parser accepted it) gives nothing rather than failing the alarm.
 */
function nextAfter(task: Pick<Task, "cron" | "timeZone">, after: number): number | null {
  if (!task.cron) return null;
  try {
    return parseCron(task.cron, task.timeZone).next(after);
  } catch {
    return null;
  }
}

export class TaskStore {
  readonly #db: DrizzleSqliteDODatabase;

  constructor(db: DrizzleSqliteDODatabase) {
    this.#db = db;
  }

  /** Validates and stores a task; throws an Error with a message meant for the user. */
  create(input: NewTask, now = Date.now()): Task {
    const prompt = input.prompt.trim();
    if (!prompt || prompt.length > MAX_PROMPT_CHARS)
      throw new Error(`a task needs a prompt of 1 to ${MAX_PROMPT_CHARS} characters`);
    const timeZone = input.timeZone ?? "UTC";
    try {
      new Intl.DateTimeFormat("en-US", { timeZone });
    } catch {
      throw new Error(`unknown time zone "${timeZone}"`);
    }
    if ((input.at === undefined) === (input.cron === undefined))
      throw new Error("give either a time (at) or a cron expression");
    if (input.at !== undefined && (!Number.isFinite(input.at) || input.at < now - 60_000))
      throw new Error("the time must be in the future");
    const cron = input.cron?.trim() ?? null;
    const nextRunAt = input.at ?? (cron === null ? null : parseCron(cron, timeZone).next(now));
    if (cron !== null && nextRunAt === null) throw new Error(`the cron expression "${cron}" never matches`);
    if (this.list().length >= MAX_TASKS) throw new Error(`a session keeps at most ${MAX_TASKS} tasks`);
    const task: Task = {
      id: crypto.randomUUID(),
      prompt,
      cron,
      timeZone,
      paused: false,
      nextRunAt,
      lastRunAt: null,
      createdAt: now,
      createdBy: input.createdBy,
    };
    this.#db.insert(tasks).values(task).run();
    return task;
  }

  list(): Task[] {
    return this.#db.select().from(tasks).orderBy(asc(tasks.createdAt)).all();
  }

  setPaused(id: string, paused: boolean, now = Date.now()): Task | null {
    const task = this.#db.select().from(tasks).where(eq(tasks.id, id)).get();
    if (!task) return null;
    // Resuming a recurring task schedules it from now, not from when it was paused.
    const nextRunAt = !paused && task.cron ? nextAfter(task, now) : task.nextRunAt;
    return this.#db.update(tasks).set({ paused, nextRunAt }).where(eq(tasks.id, id)).returning().get() ?? null;
  }

  delete(id: string): boolean {
    return this.#db.delete(tasks).where(eq(tasks.id, id)).returning({ id: tasks.id }).all().length > 0;
  }

  /** Tasks due now (not paused). */
  due(now = Date.now()): Task[] {
    return this.#db
      .select()
      .from(tasks)
      .where(and(eq(tasks.paused, false), isNotNull(tasks.nextRunAt), lte(tasks.nextRunAt, now)))
      .all();
  }

  /** Records a run; the next one is computed from now, so runs missed while asleep run once, not many times. */
  ran(task: Task, now = Date.now()): void {
    this.#db
      .update(tasks)
      .set({ lastRunAt: now, nextRunAt: nextAfter(task, now) })
      .where(eq(tasks.id, task.id))
      .run();
  }

  /** The earliest next run of an active task. */
  nextDue(): number | null {
    const row = this.#db
      .select({ at: tasks.nextRunAt })
      .from(tasks)
      .where(and(eq(tasks.paused, false), isNotNull(tasks.nextRunAt)))
      .orderBy(asc(tasks.nextRunAt))
      .get();
    return row?.at ?? null;
  }
}
