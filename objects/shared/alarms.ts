// One Durable Object alarm shared by named bookings: persistent, the earliest booking arms it, due handlers run.

import { type LogFields, log } from "../../log/logger";

/** Runs when its booking is due; may book itself again. Must be idempotent: it can run twice for one booking. */
export type AlarmHandler = (now: number) => void | Promise<void>;

/** A handler that threw is tried again this much later (the failure is logged). */
export const ALARM_RETRY_MS = 30_000;

/** Storage keys of the bookings (the object's synchronous key-value store, beside its SQLite tables). */
const KEY_PREFIX = "alarm:";

/** What the multiplexer needs of a Durable Object's storage. */
export type AlarmStorage = Pick<DurableObjectStorage, "kv" | "setAlarm" | "deleteAlarm">;

/** Reports a handler that failed, or a booking nobody handles; never throws. */
export type AlarmWarn = (message: string, detail: LogFields) => void;

const logWarn: AlarmWarn = (msg, detail) => log.warn(msg, detail);

/**
 * A Durable Object has one alarm; every part that needs a time books it here under its own name. Bookings
 * live in storage (they survive eviction and restarts), a name holds one time, and the object's alarm is
 * always set to the earliest booking. `run()` (the object's `alarm()`) calls each due handler; the
 * booking is removed only after its handler returns (unless it booked a new time), so a handler cut off
 * by a reset runs again.
 */
export class AlarmMultiplexer {
  readonly #storage: AlarmStorage;
  readonly #handlers = new Map<string, AlarmHandler>();
  readonly #warn: AlarmWarn;
  /** The time the object's alarm was last set to in this isolate (undefined: unknown, null: cleared). */
  #armed: number | null | undefined;
  /**
   * The bookings as stored (undefined: not read yet), written through on every change: a turn books and
   * cancels its heartbeat, and each would otherwise read the bookings back. `run()` reads them again.
   */
  #booked: Map<string, number> | undefined;

  constructor(storage: AlarmStorage, warn: AlarmWarn = logWarn) {
    this.#storage = storage;
    this.#warn = warn;
  }

  /** Declares the handler of a name; a name has exactly one. */
  handle(name: string, handler: AlarmHandler): this {
    if (this.#handlers.has(name)) throw new Error(`alarm ${name} already has a handler`);
    this.#handlers.set(name, handler);
    return this;
  }

  /** Books `name` at `at` (epoch ms), replacing its earlier time. */
  book(name: string, at: number): void {
    if (this.bookedAt(name) === at) return;
    this.#put(name, at);
    this.arm();
  }

  /** Books `name` at `at` unless it is already booked earlier. */
  bookEarliest(name: string, at: number): void {
    const booked = this.bookedAt(name);
    if (booked === null || at < booked) this.book(name, at);
  }

  /** Removes the booking of `name`, if any. */
  cancel(name: string): void {
    if (this.bookedAt(name) === null) return;
    this.#delete(name);
    this.arm();
  }

  bookedAt(name: string): number | null {
    return this.#bookings().get(name) ?? null;
  }

  /** Every booking, by name. */
  bookings(): Map<string, number> {
    return new Map(this.#bookings());
  }

  #bookings(): Map<string, number> {
    if (this.#booked === undefined) {
      this.#booked = new Map();
      for (const [key, at] of this.#storage.kv.list({ prefix: KEY_PREFIX })) {
        if (typeof at === "number") this.#booked.set(key.slice(KEY_PREFIX.length), at);
      }
    }
    return this.#booked;
  }

  #put(name: string, at: number): void {
    this.#storage.kv.put(KEY_PREFIX + name, at);
    this.#bookings().set(name, at);
  }

  #delete(name: string): void {
    this.#storage.kv.delete(KEY_PREFIX + name);
    this.#bookings().delete(name);
  }

  /** Sets the object's alarm to the earliest booking, or clears it (call once at start: bookings persist). */
  arm(): void {
    let earliest: number | null = null;
    for (const at of this.#bookings().values()) if (earliest === null || at < earliest) earliest = at;
    if (earliest === this.#armed) return;
    this.#armed = earliest;
    const done = earliest === null ? this.#storage.deleteAlarm() : this.#storage.setAlarm(earliest);
    done.catch((error: unknown) => this.#warn("alarm not set", { error: String(error) }));
  }

  /** Runs every due handler, in booking order, then arms the alarm for what is left. Never throws. */
  async run(now = Date.now()): Promise<void> {
    // The runtime cleared the alarm that woke us; the bookings are read again from storage.
    this.#armed = undefined;
    this.#booked = undefined;
    const due = [...this.bookings()].filter(([, at]) => at <= now).sort((a, b) => a[1] - b[1]);
    for (const [name, at] of due) {
      const handler = this.#handlers.get(name);
      if (!handler) {
        this.#warn("alarm without a handler dropped", { alarm: name });
        this.#delete(name);
        continue;
      }
      try {
        await handler(now);
        if (this.bookedAt(name) === at) this.#delete(name);
      } catch (error) {
        this.#warn("alarm handler failed", { alarm: name, error: String(error) });
        if (this.bookedAt(name) === at) this.#put(name, Date.now() + ALARM_RETRY_MS);
      }
    }
    this.arm();
  }
}
