// Regenerated answers and edited messages: which stored events they supersede, and the model's context without them.

import type { SessionEvent } from "../../../protocol/frames";
import type { EventLog } from "../event-log";
import { parseCommand } from "./commands";

/** What later versions supersede: whole turns, and ranges of user messages. */
interface Superseded {
  turns: Set<string>;
  /** Seq ranges (inclusive) whose user messages are superseded. */
  messages: [number, number][];
}

/** The turn each event belongs to: its own `turnId`, else the turn open when it was stored (tool results). */
function turnOf(events: readonly SessionEvent[]): Map<number, string> {
  const owner = new Map<number, string>();
  let open: string | null = null;
  for (const e of events) {
    if (e.type === "turn_start") open = e.turnId;
    const turnId = "turnId" in e ? e.turnId : open;
    if (turnId !== null && e.type !== "user_message") owner.set(e.seq, turnId);
    if (e.type === "turn_end") open = null;
  }
  return owner;
}

/**
 * What the marks supersede. `marks` are the session's user messages and `regenerate` events in seq order;
 * `events` are the context's events.
 * - An edit (a user message with `editOf`) supersedes the edited message, the messages after it and the
 *   turns that began after it, up to the edit: the conversation goes on from the new version. A turn that
 *   was running when the edited message arrived (it was queued) stays.
 * - A regenerate supersedes its turn; messages queued during it stay.
 */
export function superseded(events: readonly SessionEvent[], marks: readonly SessionEvent[]): Superseded {
  const seqOfId = new Map<string, number>();
  const out: Superseded = { turns: new Set(), messages: [] };
  const firstSeen = new Map<string, number>();
  for (const [seq, turnId] of turnOf(events)) if (!firstSeen.has(turnId)) firstSeen.set(turnId, seq);
  for (const mark of marks) {
    if (mark.type === "regenerate") out.turns.add(mark.turnId);
    if (mark.type !== "user_message") continue;
    const from = mark.editOf === undefined ? undefined : seqOfId.get(mark.editOf);
    seqOfId.set(mark.id, mark.seq);
    if (from === undefined) continue;
    out.messages.push([from, mark.seq - 1]);
    for (const [turnId, seq] of firstSeen) if (seq > from && seq < mark.seq) out.turns.add(turnId);
  }
  return out;
}

/** The events without those a later version superseded. */
export function dropSuperseded(events: readonly SessionEvent[], marks: readonly SessionEvent[]): SessionEvent[] {
  const gone = superseded(events, marks);
  if (gone.turns.size === 0 && gone.messages.length === 0) return [...events];
  const owner = turnOf(events);
  return events.filter((e) => {
    if (e.type === "user_message") return !gone.messages.some(([from, to]) => e.seq >= from && e.seq <= to);
    const turnId = owner.get(e.seq);
    return turnId === undefined || !gone.turns.has(turnId);
  });
}

/** The context's events without superseded answers and messages (they stay stored and shown). */
export function withoutSuperseded(log: EventLog, events: SessionEvent[]): SessionEvent[] {
  // Most sessions have no edit or regenerate: nothing to read, nothing held. The marks are every user
  // message of the session, so they are read when needed rather than kept (a long session holds many).
  if (!log.hasRevisions()) return events;
  return dropSuperseded(events, log.allOf(["user_message", "regenerate"], 0));
}

/** Why a new version cannot start now (a turn runs), or null. */
function busy(running: boolean): string | null {
  return running ? "a turn is running; stop it or wait until it ends" : null;
}

/** Checks a regenerate: `turnId` must be the newest turn and no turn may run. Returns the refusal, or null. */
export function refuseRegenerate(log: EventLog, turnId: string, running: boolean): string | null {
  const newest = log.latest("turn_start");
  if (!newest || newest.turnId !== turnId) return "only the newest answer can be regenerated";
  return busy(running);
}

/** Checks an edit: `editOf` must be a stored message that is not a command, and no turn may run. */
export function refuseEdit(log: EventLog, editOf: string, running: boolean): string | null {
  const seq = log.seqOfClientId(editOf);
  const original = seq === undefined ? undefined : log.after(seq - 1, 1)[0];
  if (original?.type !== "user_message") return "no such message to edit";
  if (parseCommand(original.text) !== null) return "a command cannot be edited; send it again";
  return busy(running);
}

/** The text of the newest user message that is not a command: what a regenerated turn answers again. */
export function lastQuestion(log: EventLog): string {
  const asked = log
    .allOf(["user_message"], 0)
    .findLast((m) => m.type === "user_message" && parseCommand(m.text) === null);
  return asked?.type === "user_message" ? asked.text : "";
}
