// Skills: the model is offered descriptions; a body reaches it only after it asks with load_skill.

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Script } from "../../../devtools/demo-model/scripts";
import type { Skill } from "../../../protocol/api";
import { MAX_SKILL_BODY_CHARS, MAX_SKILL_DESCRIPTION_CHARS } from "../../../worker/routes/skills";
import { api, createSession, join, login } from "../../helpers/workers";

const FAKE = String(Reflect.get(env, "FAKE_LLM_URL"));

async function requestsWith(marker: string): Promise<string[]> {
  const all = (await (await fetch(`${FAKE}/__requests`)).json()) as { body: unknown }[];
  return all.map((r) => JSON.stringify(r.body)).filter((b) => b.includes(marker));
}

describe("skills", () => {
  it("offers the description, and sends the body only after load_skill", async () => {
    const t = `t-${crypto.randomUUID()}`;
    const token = await login(`skills-${crypto.randomUUID()}@example.com`);
    const secretBody = `SECRET-STEPS-${t}`;
    const put = await api("/api/skills/trip-planner", token, {
      method: "PUT",
      body: JSON.stringify({ description: "plan trips step by step", body: `1. ${secretBody}` }),
    });
    expect(put.status).toBe(200);
    const steps: Script["steps"] = [
      { kind: "tools", calls: [{ id: "k", name: "load_skill", args: JSON.stringify({ name: "trip-planner" }) }] },
      { kind: "text", chunks: ["planned"] },
    ];
    await fetch(`${FAKE}/__script`, { method: "POST", body: JSON.stringify({ match: t, steps }) });
    const device = await join(await createSession(token), token);
    device.send({ type: "user_message", id: "1", text: `plan a trip ${t}` });
    await device.settle();
    const [first, second] = await requestsWith(t);
    expect(first).toContain("trip-planner: plan trips step by step");
    expect(first).not.toContain(secretBody);
    expect(second).toContain(secretBody);
    expect((await api("/api/skills/Bad Name", token, { method: "PUT", body: "{}" })).status).toBe(400);
    const other = await login(`other-${crypto.randomUUID()}@example.com`);
    expect((await api("/api/skills/trip-planner", other)).status).toBe(404);
  });
});

describe("skill limits", () => {
  const put = (token: string, description: string, body: string) =>
    api("/api/skills/limits", token, { method: "PUT", body: JSON.stringify({ description, body }) });
  const stored = async (token: string) => (await api("/api/skills/limits", token)).json<Skill>();

  it("takes a 300-character description and a 100,000-character body; one more is refused and the skill stays", async () => {
    expect([MAX_SKILL_DESCRIPTION_CHARS, MAX_SKILL_BODY_CHARS]).toEqual([300, 100_000]);
    const token = await login(`skills-limits-${crypto.randomUUID()}@example.com`);
    const description = "d".repeat(MAX_SKILL_DESCRIPTION_CHARS);
    const body = "b".repeat(MAX_SKILL_BODY_CHARS);
    expect((await put(token, description, body)).status).toBe(200);
    const before = await stored(token);
    expect([before.description, before.body]).toEqual([description, body]);

    for (const [longer, shorter] of [
      [`${description}d`, body],
      [description, `${body}b`],
    ] as const) {
      const refused = await put(token, longer, shorter);
      expect(refused.status).toBe(400);
      const error = await refused.json<{ error: { code: string; message: string } }>();
      expect(error.error).toEqual({ code: "bad_request", message: expect.stringContaining("≤ 300") });
      expect(await stored(token)).toEqual(before);
    }
  });

  it("takes a body at the limit whatever its characters, though JSON spells each as an escape", async () => {
    const token = await login(`skills-escapes-${crypto.randomUUID()}@example.com`);
    // Quotes, backslashes, newlines and control characters: the request is several times the body's length.
    const body = '"\\\n\u0001'.repeat(MAX_SKILL_BODY_CHARS / 4);
    expect(body).toHaveLength(MAX_SKILL_BODY_CHARS);
    const description = `${"\u0002".repeat(MAX_SKILL_DESCRIPTION_CHARS - 1)}d`;
    const response = await put(token, description, body);
    expect(response.status).toBe(200);
    expect(await stored(token)).toMatchObject({ description, body });
  });
});
