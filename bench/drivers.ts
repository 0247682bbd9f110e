// The two systems behind one driver interface, so every scenario runs the same way on both.

import { Device, login, newSession } from "../tests/e2e/helpers/client.ts";
import { PeerDevice } from "./peer-client.ts";

/** One connected device of a chat room (a session). */
export interface BenchDevice {
  /** Sends a user message; returns its id. */
  send(text: string): string;
  /** Resolves when this device has seen the user message `id` (performance.now() at arrival). */
  seen(id: string, timeoutMs?: number): Promise<number>;
  /** Resolves when the answer to message `id` is complete on this device. */
  answered(id: string, timeoutMs?: number): Promise<number>;
  /** performance.now() of the first answer text for message `id` on this device (0 when none yet). */
  firstText(id: string): number;
  /** Text pieces received for the answer to message `id`. */
  pieces(id: string): number;
  /** Frames delivered to this device so far (events; for edgeclaw, durable events with a seq). */
  delivered(): number;
  /** Characters of answer text delivered to this device so far. */
  textDelivered(): number;
  /** seq gaps or duplicates seen (edgeclaw checks its seq; the peer has none to check). */
  gaps(): number;
  close(): Promise<void>;
}

export interface BenchRoom {
  /** A device connected and caught up (edgeclaw: its `hello` answered by `ready`). */
  open(): Promise<BenchDevice>;
  /**
   * A device as an app connects one: resolved when the socket is open and the device may send (edgeclaw:
   * `hello` sent with the socket's first frame, as the web client does, its `ready` not awaited).
   */
  connect(): Promise<BenchDevice>;
  /** Stores `count` messages in the room's history, as fast as the system allows. */
  seed(count: number): Promise<void>;
  /**
   * Readies a device that saw the history up to `missed` messages ago; the returned function
   * reconnects it and resolves when it has caught up, or has all the system would send.
   */
  prepareReopen(missed: number): Promise<() => Promise<Reopened>>;
}

/** What a reconnecting device got. */
export interface Reopened {
  /** Milliseconds from the reconnect until the device had what the system sends. */
  ms: number;
  /** Whether it got every message it missed (the peer's history read stops at its newest 10,001 messages). */
  complete: boolean;
  /** Messages (peer) or events (edgeclaw) received, and how many the history holds. */
  received: number;
  total: number;
  /** What `received` and `total` count: "events" (edgeclaw) or "messages" (peer). */
  of: "events" | "messages";
}

export interface BenchSystem {
  name: string;
  room(): Promise<BenchRoom>;
  /** The resident memory of the system's workerd, in bytes. */
  rss(): number;
  /** The live JS heap of the system's worker isolate, in bytes, after a forced full garbage collection. */
  heap(): Promise<number>;
  /**
   * The same system on a server of its own, started now (the memory scenario measures each round on a new
   * process, so no earlier round's objects or freed memory are in its readings).
   */
  fresh?(): Promise<{ system: BenchSystem; stop(): Promise<void> }>;
}

/** Reconnects a device that missed the last `missed` messages. */
export async function reopenMissing(room: BenchRoom, missed: number): Promise<Reopened> {
  return (await room.prepareReopen(missed))();
}

const at = () => performance.now();

/** What both devices record per user message: arrival, first answer text, pieces, completion. */
abstract class TrackedDevice {
  protected readonly arrivals = new Map<string, number>();
  protected readonly firstTexts = new Map<string, number>();
  protected readonly pieceCounts = new Map<string, number>();
  protected readonly done = new Map<string, number>();
  protected deliveredCount = 0;
  protected textChars = 0;

  protected abstract wait(predicate: () => boolean, timeoutMs: number): Promise<void>;

  /** Counts a piece of answer text (`chars` long) for message `id`, noting the first. */
  protected piece(id: string, now: number, chars: number): void {
    this.textChars += chars;
    if (!this.firstTexts.has(id)) this.firstTexts.set(id, now);
    this.pieceCounts.set(id, (this.pieceCounts.get(id) ?? 0) + 1);
  }

  async seen(id: string, timeoutMs = 30_000): Promise<number> {
    await this.wait(() => this.arrivals.has(id), timeoutMs);
    return this.arrivals.get(id) ?? 0;
  }

  async answered(id: string, timeoutMs = 30_000): Promise<number> {
    await this.wait(() => this.done.has(id), timeoutMs);
    return this.done.get(id) ?? 0;
  }

  firstText(id: string): number {
    return this.firstTexts.get(id) ?? 0;
  }

  pieces(id: string): number {
    return this.pieceCounts.get(id) ?? 0;
  }

  delivered(): number {
    return this.deliveredCount;
  }

  textDelivered(): number {
    return this.textChars;
  }
}

// ---- edgeclaw ---------------------------------------------------------------------------------

class EdgeclawDevice extends TrackedDevice implements BenchDevice {
  readonly #device: Device;
  /** The user message id of the turn each turn id answers. */
  readonly #turnOf = new Map<string, string>();
  #lastUser = "";
  #lastSeq = 0;
  #gaps = 0;

  constructor(device: Device) {
    super();
    this.#device = device;
    this.#lastSeq = device.events().at(-1)?.seq ?? 0;
    device.ws.on("message", (data) => {
      const frame = JSON.parse(String(data));
      const now = at();
      if (typeof frame.seq === "number" && typeof frame.at === "number") {
        if (frame.seq !== this.#lastSeq + 1) this.#gaps++;
        this.#lastSeq = frame.seq;
        this.deliveredCount++;
      }
      if (frame.type === "user_message") {
        this.arrivals.set(frame.id, now);
        this.#lastUser = frame.id;
      } else if (frame.type === "turn_start") this.#turnOf.set(frame.turnId, this.#lastUser);
      else if (frame.type === "assistant_delta") {
        this.piece(this.#turnOf.get(frame.turnId) ?? this.#lastUser, now, String(frame.text ?? "").length);
      } else if (frame.type === "turn_end") {
        this.done.set(this.#turnOf.get(frame.turnId) ?? this.#lastUser, now);
      }
    });
  }

  send(text: string): string {
    const id = `m-${crypto.randomUUID()}`;
    this.#device.send({ type: "user_message", id, text });
    return id;
  }

  protected wait(predicate: () => boolean, timeoutMs: number): Promise<void> {
    return this.#device.until(predicate, timeoutMs);
  }

  gaps(): number {
    return this.#gaps;
  }

  close(): Promise<void> {
    return this.#device.close();
  }
}

export function edgeclaw(base: string, rss: () => number, heap: () => Promise<number>): BenchSystem {
  let user: Promise<string> | undefined;
  return {
    name: "edgeclaw",
    rss,
    heap,
    async room() {
      // One signed-in user for all rooms, as one person's devices and sessions.
      user ??= login(base, `bench-${crypto.randomUUID()}@example.com`);
      const token = await user;
      const id = await newSession(base, token);
      const open = async (batch = false) => {
        const device = await Device.open(base, id, token);
        await device.hello(undefined, batch);
        return device;
      };
      return {
        async open() {
          return new EdgeclawDevice(await open());
        },
        async connect() {
          const device = await Device.open(base, id, token);
          // Frames on a socket are handled in order: a message may follow `hello` at once (web/src/session-socket.ts).
          device.send({ type: "hello", batch: true });
          return new EdgeclawDevice(device);
        },
        async seed(count) {
          const device = await open();
          // Counted as they arrive: filtering every frame on each arrival is quadratic in a long history.
          let stored = 0;
          device.ws.on("message", (data) => {
            if (String(data).includes('"type":"user_message"')) stored++;
          });
          for (let i = 0; i < count; i++)
            device.send({ type: "user_message", id: `seed-${i}`, text: `seed message ${i}` });
          await device.until(() => stored >= count, 1_800_000);
          await device.settle(500, 1_800_000);
          device.frames.length = 0;
          await device.close();
        },
        async prepareReopen(missed) {
          // The probe only reads the newest seq: the history comes in batch frames, not one frame each.
          const probe = await open(true);
          const last = probe.events().at(-1)?.seq ?? 0;
          await probe.close();
          return async () => {
            const started = at();
            const device = await Device.open(base, id, token);
            const after = Math.max(0, last - missed);
            await device.hello(after, true);
            const ms = at() - started;
            const received = device.events().filter((e) => e.seq > after && e.seq <= last).length;
            await device.close();
            return { ms, complete: received === last - after, received, total: last, of: "events" };
          };
        },
      };
    },
  };
}

// ---- the Agents SDK peer ----------------------------------------------------------------------

interface Msg {
  id: string;
  role: "user" | "assistant";
  text: string;
}

class PeerBenchDevice extends TrackedDevice implements BenchDevice {
  readonly #device: PeerDevice;
  readonly #history: Msg[];

  constructor(device: PeerDevice, history: Msg[]) {
    super();
    this.#device = device;
    this.#history = history;
    device.ws.on("message", (data) => {
      const frame = JSON.parse(String(data));
      const now = at();
      this.deliveredCount++;
      if (frame.type === "cf_agent_chat_messages" && Array.isArray(frame.messages)) {
        for (const m of frame.messages)
          if (m?.role === "user" && !this.arrivals.has(m.id)) this.arrivals.set(m.id, now);
      } else if (frame.type === "cf_agent_use_chat_response") {
        // A chat request's id is the id of the user message it carries (see send).
        if (!this.arrivals.has(frame.id)) this.arrivals.set(frame.id, now);
        if (typeof frame.body === "string" && frame.body.includes('"text-delta"'))
          this.piece(frame.id, now, textDelta(frame.body).length);
        if (frame.done) this.done.set(frame.id, now);
      }
    });
  }

  send(text: string): string {
    const id = `m-${crypto.randomUUID()}`;
    this.#history.push({ id, role: "user", text });
    // Like useAgentChat: one chat request carrying the whole message list.
    this.#device.ask(id, this.#history);
    return id;
  }

  protected wait(predicate: () => boolean, timeoutMs: number): Promise<void> {
    return this.#device.until(predicate, timeoutMs);
  }

  gaps(): number {
    return 0;
  }

  async close(): Promise<void> {
    this.#device.close();
  }
}

/** The text of an AI SDK `text-delta` chunk ("" for anything else). */
function textDelta(body: string): string {
  try {
    const chunk = JSON.parse(body) as { type?: string; delta?: unknown };
    return chunk.type === "text-delta" && typeof chunk.delta === "string" ? chunk.delta : "";
  } catch {
    return "";
  }
}

export function agentsSdk(base: string, rss: () => number, heap: () => Promise<number>): BenchSystem {
  return {
    name: "Agents SDK",
    rss,
    heap,
    async room() {
      const name = `room-${crypto.randomUUID()}`;
      const history: Msg[] = [];
      const open = async () => new PeerBenchDevice(await PeerDevice.open(base, name), history);
      return {
        open,
        // The peer's client sends its chat request as soon as the socket is open.
        connect: open,
        async seed(count) {
          const device = await PeerDevice.open(base, name);
          // `count` stored in all: the seeds, the last user message and its answer.
          for (let i = 0; i < count - 2; i++)
            history.push({ id: `seed-${i}`, role: i % 2 === 0 ? "user" : "assistant", text: `seed message ${i}` });
          history.push({ id: "seed-last", role: "user", text: "seed done" });
          device.ask("seed-last", history);
          // One request carries the whole history: 100,000 messages take minutes on a busy machine.
          await device.until(() => device.done("seed-last"), 1_800_000);
          device.close();
        },
        async prepareReopen(missed) {
          // The peer has no partial resume: a (re)connecting client opens the socket and fetches the
          // whole transcript over HTTP (`get-messages`), as useAgentChat does.
          const ids = history.map((m) => m.id);
          return () => reopenPeer(base, name, ids, missed);
        },
      };
    },
  };
}

/**
 * Reconnects a peer device and fetches the transcript; complete when it holds the `missed` newest of the
 * messages sent (`ids`, in order). The Agents SDK reads at most 10,000 parent links of a branch, so a longer
 * history comes back as its newest 10,001 messages: enough to resume, not to open it whole.
 */
async function reopenPeer(base: string, name: string, ids: string[], missed: number): Promise<Reopened> {
  const started = at();
  const [device, response] = await Promise.all([
    PeerDevice.open(base, name),
    fetch(`${base}/agents/peer-chat/${name}/get-messages`),
  ]);
  const messages = (await response.json()) as { id?: unknown }[];
  const ms = at() - started;
  device.close();
  const got = new Set(messages.map((m) => m.id));
  const wanted = ids.slice(-Math.min(missed, ids.length));
  const complete = wanted.every((id) => got.has(id));
  // Whatever the length, the newest message must be there: an empty or stale answer is a failure.
  const newest = ids.at(-1);
  if (newest !== undefined && !got.has(newest)) throw new Error(`the peer's transcript lacks the newest message`);
  return { ms, complete, received: messages.length, total: ids.length, of: "messages" };
}
