// Session lifecycle: automatic title, archive, pin, search over titles and text, /reset.

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { titleFrom } from "../../objects/session/meta-store";
import { api, createSession, join, login } from "../helpers/workers";

const FAKE = String(Reflect.get(env, "FAKE_LLM_URL"));
type Entry = { id: string; title: string; archived: boolean; pinned: boolean };
const list = async (token: string, query = "") =>
  (await (await api(`/api/sessions${query}`, token)).json<{ sessions: Entry[] }>()).sessions;

describe("session lifecycle", () => {
  it("names a session after its first message once the first exchange ends", async () => {
    const token = await login(`title-${crypto.randomUUID()}@example.com`);
    const id = await createSession(token);
    const device = await join(id, token);
    // A command is no title: the first message that is not one names the session.
    device.send({ type: "user_message", id: "0", text: "/help" });
    await device.waitFor("notice");
    device.send({ type: "user_message", id: "1", text: "Plan my week in Lisbon with museums and food\nthanks" });
    await device.settle();
    const [entry] = await list(token);
    expect(entry?.title).toBe("Plan my week in Lisbon with museums and food");
    expect(titleFrom("x".repeat(80))).toHaveLength(61);
    const admin = await login("admin@example.com");
    const all = (await (await api("/admin/api/sessions?limit=100", admin)).json<{ sessions: Entry[] }>()).sessions;
    expect(all.find((s) => s.id === id)?.title).toBe("Plan my week in Lisbon with museums and food");
  });

  it("archives, pins and searches titles and message text", async () => {
    const token = await login(`life-${crypto.randomUUID()}@example.com`);
    const a = await createSession(token, "groceries");
    const b = await createSession(token, "taxes 2026");
    const c = await createSession(token, "holiday");
    const device = await join(c, token);
    device.send({ type: "user_message", id: "1", text: "book the ferry to Capri" });
    await device.settle();
    expect(
      (await api(`/api/sessions/${a}`, token, { method: "PATCH", body: JSON.stringify({ pinned: true }) })).status,
    ).toBe(200);
    expect(
      (await api(`/api/sessions/${b}`, token, { method: "PATCH", body: JSON.stringify({ archived: true }) })).status,
    ).toBe(200);
    expect((await list(token)).map((s) => s.id)).toEqual([a, c]);
    expect((await list(token, "?archived=1")).map((s) => s.id)).toEqual([b]);
    expect((await list(token, "?q=TAXES")).map((s) => s.id)).toEqual([b]);
    expect((await list(token, "?q=ferry%20to%20capri")).map((s) => s.id)).toEqual([c]);
    expect(await list(token, "?q=nothing-like-this")).toEqual([]);
    expect(
      (await api(`/api/sessions/${a}`, token, { method: "PATCH", body: JSON.stringify({ pinned: "yes" }) })).status,
    ).toBe(400);
    const other = await login(`other-${crypto.randomUUID()}@example.com`);
    expect(await list(other, "?q=capri")).toEqual([]);
  });

  it("/reset starts a fresh context like /new", async () => {
    const t = `t-${crypto.randomUUID()}`;
    await fetch(`${FAKE}/__script`, {
      method: "POST",
      body: JSON.stringify({ match: t, steps: [{ kind: "text", chunks: ["fresh"] }] }),
    });
    const token = await login(`reset-${crypto.randomUUID()}@example.com`);
    const device = await join(await createSession(token), token);
    device.send({ type: "user_message", id: "1", text: "first question" });
    await device.settle();
    device.send({ type: "user_message", id: "2", text: "/reset" });
    device.send({ type: "user_message", id: "3", text: `after reset ${t}` });
    await device.until(() => device.of("turn_end").length === 2);
    expect(device.of("compaction")[0]).toMatchObject({ reason: "reset", summary: "" });
    const requests = (await (await fetch(`${FAKE}/__requests`)).json()) as {
      body: { messages: { role: string; content: unknown }[] };
    }[];
    const last = requests.filter((r) => JSON.stringify(r.body).includes(t)).at(-1);
    expect(last?.body.messages.filter((m) => m.role === "user").map((m) => m.content)).toEqual([`after reset ${t}`]);
  });
});
