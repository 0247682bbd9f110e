// Hostile input, property-based: random client frames and JSON bodies get errors and change nothing stored.

import { env, runInDurableObject } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseClientFrame } from "../../protocol/parse-frame";
import { api, createSession, join, login } from "../helpers/workers";

const storedEvents = (id: string) =>
  runInDurableObject(env.SESSION.getByName(id), async (_o, state) =>
    Number(state.storage.sql.exec("SELECT COUNT(*) AS n FROM events").one().n),
  );

/** Any JSON-ish frame: random values, truncated or nested JSON, unicode edge cases, wrong types. */
const frames = fc.oneof(
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.json({ depthSize: "medium" }),
  fc.json().map((s) => s.slice(0, Math.max(0, s.length - 1))),
  fc
    .record(
      {
        type: fc.constantFrom("user_message", "hello", "tool_decision", "feedback", "cancel", "x"),
        id: fc.anything(),
        text: fc.anything(),
        lastSeq: fc.anything(),
        toolCallId: fc.anything(),
        approve: fc.anything(),
        turnId: fc.anything(),
        rating: fc.anything(),
      },
      { requiredKeys: ["type"] },
    )
    .map((o) => JSON.stringify(o)),
  fc.integer({ min: 1, max: 5000 }).map((depth) => `${"[".repeat(depth)}${"]".repeat(depth)}`),
  fc.constantFrom(
    '{"type":"user_message","id":"\\ud800","text":"x"}',
    '{"type":"hello","lastSeq":1e309}',
    '{"type":"user_message","id":"a","text":"\\u0000"}',
    "\u0000",
    "\uFFFF",
  ),
);

/** Frames the parser accepts as a user message would store an event; everything else must not. */
const mutates = (frame: string) => {
  const parsed = parseClientFrame(frame);
  return parsed.ok && parsed.frame.type === "user_message";
};

describe("hostile input", () => {
  it("answers random frames with error frames, never storing or showing anything", async () => {
    const token = await login(`fuzz-${crypto.randomUUID()}@example.com`);
    const id = await createSession(token);
    const attacker = await join(id, token);
    const watcher = await join(id, token);
    const before = await storedEvents(id);
    let sentHarmless = 0;
    await fc.assert(
      fc.asyncProperty(frames, async (frame) => {
        if (
          mutates(frame) ||
          frame.startsWith('{"type":"hello') ||
          frame.includes('"type":"cancel"') ||
          frame.includes('"type":"ping"')
        )
          return;
        const errors = attacker.frames.filter((f) => f.type === "error").length;
        attacker.send(frame);
        sentHarmless++;
        await attacker.until(
          () => attacker.frames.filter((f) => f.type === "error").length > errors || attacker.closed !== null,
        );
        expect(attacker.closed).toBeNull();
      }),
      { numRuns: 150 },
    );
    expect(sentHarmless).toBeGreaterThan(20);
    expect(await storedEvents(id)).toBe(before);
    expect(watcher.frames.filter((f) => f.type === "error" || "at" in f)).toEqual([]);
  });

  it("answers random JSON bodies on every write route with a 4xx JSON error, storing nothing", async () => {
    const token = await login(`fuzz-http-${crypto.randomUUID()}@example.com`);
    const id = await createSession(token);
    const admin = await login("admin@example.com");
    const routes: [string, string, string][] = [
      ["POST", "/api/sessions", token],
      ["PATCH", `/api/sessions/${id}`, token],
      ["POST", `/api/sessions/${id}/feedback`, token],
      ["PUT", "/admin/api/budgets/fuzz-target@example.com", admin],
    ];
    const bodies = fc.oneof(
      fc.json(),
      fc.string({ unit: "binary", maxLength: 300 }),
      fc.anything().map((v) => JSON.stringify(v) ?? ""),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), bodies, async ([method, path, who], body) => {
        const response = await api(path, who, { method, body });
        expect(response.status, `${method} ${path} ${body.slice(0, 60)}`).toBeLessThan(500);
        if (response.status >= 400) {
          const error = await response.json<{ error: { code: string; message: string } }>();
          expect(typeof error.error.code).toBe("string");
        } else await response.body?.cancel();
      }),
      { numRuns: 150 },
    );
    const list = await (await api("/api/sessions", token)).json<{ sessions: { id: string; title: string }[] }>();
    // Only bodies that were valid created sessions or renames; the original session is still there.
    expect(list.sessions.some((s) => s.id === id)).toBe(true);
  });

  it("rate-limits a flooding socket with a clear error while the other device is unaffected", async () => {
    const token = await login(`flood-${crypto.randomUUID()}@example.com`);
    const id = await createSession(token);
    const flood = await join(id, token);
    const calm = await join(id, token);
    for (let i = 0; i < 120; i++) flood.send({ type: "tool_decision", toolCallId: `x${i}`, approve: true });
    await flood.until(() => flood.of("error").some((e) => e.code === "rate_limited"));
    expect(flood.of("error").find((e) => e.code === "rate_limited")?.message).toMatch(/retry in \d+ s/);
    calm.send({ type: "user_message", id: "calm", text: "hello" });
    await calm.until(() => calm.of("user_message").length === 1);
    expect(calm.of("error")).toEqual([]);
  });
});
