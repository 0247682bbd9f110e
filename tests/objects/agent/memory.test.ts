// Long-term memory: written in one session, read in another of the same user, never in another user's.

import { env, runInDurableObject } from "cloudflare:test";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { describe, expect, it } from "vitest";
import {
  MEMORY_DIGEST_CHARS,
  MODEL_NOTE_MARK,
  MODEL_NOTE_RULE,
  memoryTools,
  modelNote,
} from "../../../agent/tools/memory";
import type { Script } from "../../../devtools/demo-model/scripts";
import { MAX_NOTES, NotesStore } from "../../../objects/directory/notes-store";
import { userDirectory } from "../../../objects/names";
import { MAX_NOTE_CHARS, type MemoryNote } from "../../../protocol/api";
import { api, createSession, join, login } from "../../helpers/workers";

const FAKE = String(Reflect.get(env, "FAKE_LLM_URL"));
const script = (value: Script) => fetch(`${FAKE}/__script`, { method: "POST", body: JSON.stringify(value) });
const call = (id: string, name: string, args: Record<string, unknown>) => ({ id, name, args: JSON.stringify(args) });

describe("memory", () => {
  it("carries a note from one session to the next of the same user, and to nobody else", async () => {
    const t = `t-${crypto.randomUUID()}`;
    const fact = `prefers tea ${t}`;
    await script({
      match: `${t}-w`,
      steps: [
        { kind: "tools", calls: [call("w", "memory_write", { kind: "fact", text: fact })] },
        { kind: "text", chunks: ["noted"] },
      ],
    });
    await script({
      match: `${t}-r`,
      steps: [
        { kind: "tools", calls: [call("r", "memory_read", {})] },
        { kind: "text", chunks: ["read"] },
      ],
    });
    await script({
      match: `${t}-x`,
      steps: [
        { kind: "tools", calls: [call("x", "memory_search", { query: "tea" })] },
        { kind: "text", chunks: ["none"] },
      ],
    });
    const owner = await login(`mem-${crypto.randomUUID()}@example.com`);
    const first = await join(await createSession(owner), owner);
    first.send({ type: "user_message", id: "1", text: `remember ${t}-w` });
    await first.settle();
    expect(first.of("tool_result")[0]).toMatchObject({ ok: true });

    const second = await join(await createSession(owner), owner);
    second.send({ type: "user_message", id: "1", text: `recall ${t}-r` });
    await second.settle();
    expect(second.of("tool_result")[0]?.output).toContain(fact);
    const requests = (await (await fetch(`${FAKE}/__requests`)).json()) as {
      body: { messages: { role: string; content: unknown }[] };
    }[];
    const recall = requests.filter((r) => JSON.stringify(r.body).includes(`${t}-r`));
    expect(JSON.stringify(recall[0]?.body.messages[0])).toContain(fact);

    const stranger = await login(`other-${crypto.randomUUID()}@example.com`);
    const third = await join(await createSession(stranger), stranger);
    third.send({ type: "user_message", id: "1", text: `snoop ${t}-x` });
    await third.settle();
    expect(third.of("tool_result")[0]?.output).toBe("(nothing found)");
    expect(((await (await api("/api/memory", stranger)).json()) as { notes: unknown[] }).notes).toEqual([]);

    const mine = (await (await api("/api/memory", owner)).json()) as { notes: { id: number; text: string }[] };
    // The model wrote it, and the note says so (the user's own notes carry no mark).
    expect(mine.notes.map((n) => n.text)).toEqual([`${MODEL_NOTE_MARK}${fact}`]);
    const edited = await api(`/api/memory/${mine.notes[0]?.id}`, owner, {
      method: "PUT",
      body: JSON.stringify({ kind: "directive", text: "answer briefly" }),
    });
    expect(edited.status).toBe(200);
    expect((await api(`/api/memory/${mine.notes[0]?.id}`, stranger, { method: "DELETE" })).status).toBe(404);
    expect(
      (await api("/api/memory", owner, { method: "POST", body: JSON.stringify({ kind: "wish", text: "x" }) })).status,
    ).toBe(400);
  });
});

const DIGEST_HEAD = "What you remember about the user (memory_read for more, memory_write to add):\n";

const writeNote = (token: string, kind: string, text: string, id?: number) =>
  api(id === undefined ? "/api/memory" : `/api/memory/${id}`, token, {
    method: id === undefined ? "POST" : "PUT",
    body: JSON.stringify({ kind, text }),
  });

async function notesOf(token: string): Promise<MemoryNote[]> {
  return (await (await api("/api/memory", token)).json<{ notes: MemoryNote[] }>()).notes;
}

async function errorOf(response: Response): Promise<[number, string]> {
  const body = await response.json<{ error: { code: string; message: string } }>();
  expect(body.error.message).not.toBe("");
  return [response.status, body.error.code];
}

/** The memory digest of the system prompt the model got for the turn whose message carries `marker`. */
async function digestSent(token: string, marker: string): Promise<string> {
  await script({ match: marker, steps: [{ kind: "text", chunks: ["ok"] }] });
  const device = await join(await createSession(token), token);
  device.send({ type: "user_message", id: "1", text: `hello ${marker}` });
  await device.settle();
  device.close();
  const requests = (await (await fetch(`${FAKE}/__requests`)).json()) as {
    body: { messages: { role: string; content: unknown }[] };
  }[];
  const system = requests.find((r) => JSON.stringify(r.body).includes(marker))?.body.messages[0];
  expect(system?.role).toBe("system");
  const text = String(system?.content);
  const start = text.indexOf(DIGEST_HEAD);
  const end = text.indexOf(`\n${MODEL_NOTE_RULE}`);
  expect(start).toBeGreaterThanOrEqual(0);
  expect(end).toBeGreaterThan(start);
  return text.slice(start + DIGEST_HEAD.length, end);
}

describe("memory limits", () => {
  it("keeps notes of at most 4,000 characters; a longer one is refused and the stored note stays", async () => {
    expect(MAX_NOTE_CHARS).toBe(4_000);
    const token = await login(`mem-long-${crypto.randomUUID()}@example.com`);
    const full = "a".repeat(MAX_NOTE_CHARS);
    const created = await writeNote(token, "fact", full);
    expect(created.status).toBe(201);
    const note = await created.json<MemoryNote>();
    expect(note.text).toBe(full);

    expect(await errorOf(await writeNote(token, "fact", `${full}b`))).toEqual([400, "bad_request"]);
    expect(await errorOf(await writeNote(token, "fact", `${full}b`, note.id))).toEqual([400, "bad_request"]);
    expect(await notesOf(token)).toEqual([note]);
    // The limit is on the note as stored, after trimming.
    const padded = await writeNote(token, "fact", ` ${"c".repeat(MAX_NOTE_CHARS)}\n`);
    expect(padded.status).toBe(201);
    expect((await padded.json<MemoryNote>()).text).toBe("c".repeat(MAX_NOTE_CHARS));
  });

  it("tells the model a note is too long instead of cutting it; a compaction fact too long is cut with a marker", async () => {
    const written: string[] = [];
    const store = {
      memoryList: async () => [],
      memorySearch: async () => [],
      memoryWrite: async (kind: MemoryNote["kind"], text: string) => {
        written.push(text);
        return { id: 1, kind, text, day: null, updatedAt: 0 };
      },
    };
    const write = memoryTools(store).find((tool) => tool.spec.name === "memory_write");
    const ctx = { sessionId: "s", user: "u", signal: new AbortController().signal, onOutput: () => {} };
    const room = MAX_NOTE_CHARS - MODEL_NOTE_MARK.length;
    expect(await write?.run({ kind: "fact", text: "a".repeat(room) }, ctx)).toMatchObject({ ok: true });
    const refused = await write?.run({ kind: "fact", text: "a".repeat(room + 1) }, ctx);
    expect(refused).toMatchObject({ ok: false, output: expect.stringContaining(`at most ${room} characters`) });
    expect(written.map((t) => t.length)).toEqual([MAX_NOTE_CHARS]);
    const cut = modelNote("b".repeat(MAX_NOTE_CHARS));
    expect([cut.length, cut.startsWith(MODEL_NOTE_MARK), cut.endsWith(" [cut]")]).toEqual([MAX_NOTE_CHARS, true, true]);
    expect(modelNote(" short ")).toBe(`${MODEL_NOTE_MARK}short`);
  });

  it("keeps at most 2,000 notes a user; the next is refused, the notes stay, and editing still works", async () => {
    expect(MAX_NOTES).toBe(2_000);
    const user = `mem-many-${crypto.randomUUID()}@example.com`;
    const token = await login(user);
    const first = await (await writeNote(token, "directive", "answer briefly")).json<MemoryNote>();
    // All but the last through the store itself, in the object: 2,000 requests would only make the test slow.
    await runInDurableObject(userDirectory(env, user), (_object, state) => {
      const store = new NotesStore(drizzle(state.storage));
      for (let i = 2; i < MAX_NOTES; i++) expect(store.write("daily", `seeded ${i}`)).not.toBeNull();
    });
    expect(await notesOf(token)).toHaveLength(MAX_NOTES - 1);
    expect((await writeNote(token, "fact", "the last one that fits")).status).toBe(201);
    const full = await notesOf(token);
    expect(full).toHaveLength(MAX_NOTES);

    const refused = await writeNote(token, "fact", "one too many");
    expect(await errorOf(refused)).toEqual([409, "conflict"]);
    expect(await notesOf(token)).toEqual(full);

    const edited = await writeNote(token, "directive", "answer in French", first.id);
    expect(edited.status).toBe(200);
    expect((await notesOf(token)).find((n) => n.id === first.id)?.text).toBe("answer in French");
    expect(await notesOf(token)).toHaveLength(MAX_NOTES);
  });

  it("puts a digest of at most 4,000 characters in the system prompt; a note that would pass it is left out, not cut", async () => {
    expect(MEMORY_DIGEST_CHARS).toBe(4_000);
    const token = await login(`mem-digest-${crypto.randomUUID()}@example.com`);
    const directive = await (await writeNote(token, "directive", "d".repeat(2_000))).json<MemoryNote>();
    const directiveLine = `- [${directive.id}] ${directive.text}`;
    const fact = await (await writeNote(token, "fact", "f")).json<MemoryNote>();
    // The fact's line fills the digest to exactly 4,000 characters with the newline between the two.
    const factChars = MEMORY_DIGEST_CHARS - directiveLine.length - 1 - `- [${fact.id}] `.length;
    expect((await writeNote(token, "fact", "f".repeat(factChars), fact.id)).status).toBe(200);

    const atLimit = await digestSent(token, `t-${crypto.randomUUID()}`);
    expect(atLimit).toBe(`${directiveLine}\n- [${fact.id}] ${"f".repeat(factChars)}`);
    expect(atLimit).toHaveLength(MEMORY_DIGEST_CHARS);

    expect((await writeNote(token, "fact", "f".repeat(factChars + 1), fact.id)).status).toBe(200);
    expect(await digestSent(token, `t-${crypto.randomUUID()}`)).toBe(directiveLine);
    expect((await notesOf(token)).find((n) => n.id === fact.id)?.text).toHaveLength(factChars + 1);
  });
});
