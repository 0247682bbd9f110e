// Skills: the model is offered descriptions; a body reaches it only after it asks with load_skill.

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Script } from "../../../devtools/demo-model/scripts";
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
