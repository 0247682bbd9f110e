// Long-term memory: written in one session, read in another of the same user, never in another user's.

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MODEL_NOTE_MARK } from "../../../agent/tools/memory";
import type { Script } from "../../../devtools/demo-model/scripts";
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
