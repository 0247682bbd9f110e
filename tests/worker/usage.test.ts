// Cost control end to end: the ledger of real turns, exact costs, budgets under concurrency, the usage API.

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Script } from "../../devtools/demo-model/scripts";
import type { UsageRow } from "../../objects/usage/types";
import { record } from "../helpers/ledger";
import { api, createSession, join, login, type TestSocket } from "../helpers/workers";

const FAKE = String(Reflect.get(env, "FAKE_LLM_URL"));
const script = (value: Script) => fetch(`${FAKE}/__script`, { method: "POST", body: JSON.stringify(value) });
const tag = () => `t-${crypto.randomUUID()}`;

async function usage(token: string, query: string): Promise<UsageRow[]> {
  const response = await api(`/api/usage?${query}`, token);
  expect(response.status).toBe(200);
  return (await response.json<{ rows: UsageRow[] }>()).rows;
}

/**
 * The report once `ready` holds: a turn's calls settle in the user's usage object after its answer (and
 * turn_end) reached the devices, so a report read at turn_end may not have them yet.
 */
async function settledUsage(token: string, query: string, ready: (rows: UsageRow[]) => boolean): Promise<UsageRow[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const rows = await usage(token, query);
    if (ready(rows) || Date.now() > deadline) return rows;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function turn(socket: TestSocket, text: string, ends: number): Promise<void> {
  socket.send({ type: "user_message", id: crypto.randomUUID(), text });
  await socket.until(() => socket.of("turn_end").length >= ends);
}

describe("usage ledger", () => {
  it("records every attempt with exact costs for both protocols, flags unknown models and estimates", async () => {
    const t = tag();
    const u = { input: 100, output: 40, cached: 300, cacheWrite: 50, reasoning: 12 };
    await script({
      match: `${t}-o`,
      steps: [
        { kind: "error", status: 500 },
        { kind: "text", chunks: ["openai"], usage: u },
      ],
    });
    await script({ match: `${t}-a`, steps: [{ kind: "text", chunks: ["anthropic"], usage: u }] });
    await script({ match: `${t}-m`, steps: [{ kind: "text", chunks: ["who knows"], usage: u }] });
    await script({ match: `${t}-c`, steps: [{ kind: "cut", chunks: ["x".repeat(400)] }] });
    const email = `ledger-${crypto.randomUUID()}@example.com`;
    const token = await login(email);
    const id = await createSession(token);
    const socket = await join(id, token);
    let ends = 0;
    for (const [command, text] of [
      ["/model gpt-4o-mini", `${t}-o`],
      ["/model anthropic:claude-haiku-4-5", `${t}-a`],
      ["/model mystery-model", `${t}-m`],
      ["/model gpt-4o-mini", `${t}-c`],
    ] as const) {
      socket.send({ type: "user_message", id: crypto.randomUUID(), text: command });
      await turn(socket, text, ++ends);
    }
    // Four calls settle: three of gpt-4o-mini (a 500, the answer, the cut stream) and one of claude-haiku-4-5.
    const rows = await settledUsage(token, "groupBy=model", (r) => r.reduce((n, row) => n + row.calls, 0) >= 4);
    const byModel = Object.fromEntries(rows.map((r) => [r.key, r]));
    // gpt-4o-mini: a failed attempt (500), the 62 µ$ answer, and the cut stream estimated from its text.
    expect(byModel["gpt-4o-mini"]).toMatchObject({ calls: 3, errors: 2, estimatedCalls: 1, unpricedCalls: 0 });
    expect(byModel["gpt-4o-mini"]?.inputTokens).toBeGreaterThan(100);
    // claude-haiku-4-5: 100 × 1 + 300 × 0.1 + 50 × 1.25 + 40 × 5 = 392.5 → 393 µ$.
    expect(byModel["claude-haiku-4-5"]).toMatchObject({
      calls: 1,
      costUsd: 0.000393,
      cacheReadTokens: 300,
      cacheWriteTokens: 50,
    });
    // A model without a price is never called (it used to run free): the turn ends with model_not_allowed.
    expect(byModel["mystery-model"]).toBeUndefined();
    expect(socket.of("error").map((e) => e.code)).toContain("model_not_allowed");
    const okOpenAi = 62 / 1e6;
    const cut = byModel["gpt-4o-mini"]?.costUsd ?? 0;
    expect(cut).toBeGreaterThan(okOpenAi);

    // The session's own ledger holds the same attempts.
    const inspection = await env.SESSION.getByName(id).inspect();
    // Two usage events: the refused mystery-model turn made no call (four before unpriced models were refused).
    expect(inspection?.eventCounts.usage).toBe(2);
    // Its summary in the admin's inspection: the four attempts the usage object reports, two of them failed.
    const reported = rows.reduce((sum, r) => sum + r.calls, 0);
    expect(reported).toBe(4);
    expect(inspection?.usage).toMatchObject({ calls: reported, errors: 2, unpricedCalls: 0 });
    expect(inspection?.usage.costMicros).toBe(rows.reduce((sum, r) => sum + Math.round(r.costUsd * 1e6), 0));
    const csv = await (await api("/api/usage?groupBy=model&format=csv", token)).text();
    expect(csv.split("\n")[0]).toContain("cost_usd");
    expect(csv).toContain("claude-haiku-4-5,1,0,0,100,40,300,50,0,0.000393,0,0,0,0,0");
  });

  it("keeps ten concurrent turns of one user within the budget, ending the rest with budget_exceeded", async () => {
    const t = tag();
    const email = `budget-${crypto.randomUUID()}@example.com`;
    const admin = await login("admin@example.com");
    const token = await login(email);
    // Each answer costs 4000 × $0.60/M = 2400 µ$ (+ a little input); a call's reservation (every byte sent at
    // the input rate plus 4096 output tokens) is about 3.4k µ$, so one call at a time fits in 4500 µ$.
    const steps = Array.from({ length: 10 }, () => ({
      kind: "text" as const,
      chunks: ["costly"],
      usage: { input: 10, output: 4000 },
      delayMs: 20,
    }));
    await script({ match: t, steps });
    const sessions = await Promise.all(Array.from({ length: 10 }, () => createSession(token)));
    const set = await api(`/admin/api/budgets/${encodeURIComponent(email)}`, admin, {
      method: "PUT",
      body: JSON.stringify({ dailyUsd: 0.0045, monthlyUsd: null }),
    });
    expect(set.status).toBe(200);
    const sockets = await Promise.all(sessions.map((id) => join(id, token)));
    for (const socket of sockets) socket.send({ type: "user_message", id: "model", text: "/model gpt-4o-mini" });
    await Promise.all(sockets.map((s) => s.until(() => s.of("notice").length === 1)));
    for (const socket of sockets) socket.send({ type: "user_message", id: "go", text: `spend ${t}` });
    await Promise.all(sockets.map((s) => s.until(() => s.of("turn_end").length === 1)));
    const reasons = sockets.map((s) => s.of("turn_end")[0]?.reason);
    expect(reasons.filter((r) => r === "done").length).toBeGreaterThan(0);
    expect(reasons.filter((r) => r === "budget_exceeded").length).toBeGreaterThan(0);
    const refused = sockets.find((s) => s.of("turn_end")[0]?.reason === "budget_exceeded");
    expect(
      refused
        ?.events()
        .filter((e) => e.type === "error")
        .at(-1)?.message,
    ).toMatch(/resets at/);
    // The call that crossed 50 % has settled once its warning is out (settlement follows the answer).
    await Promise.any(sockets.map((s) => s.until(() => s.of("budget_warning").some((w) => w.percent === 50))));
    const [row] = await usage(token, "groupBy=day");
    const oneCall = 0.0025;
    expect(row?.costUsd).toBeLessThanOrEqual(0.0045 + oneCall);
    // Reservations are true upper bounds now: the budget itself is never exceeded.
    expect(row?.costUsd).toBeLessThanOrEqual(0.0045);
    // Warnings reached the devices of the session whose call crossed a threshold.
    const warnings = sockets.flatMap((s) => s.of("budget_warning"));
    expect(warnings.map((w) => w.percent)).toContain(50);
    const budgets = await (await api("/admin/api/budgets", admin)).json<{
      users: { user: string; alerts: unknown[] }[];
    }>();
    expect(budgets.users.find((u) => u.user === email)?.alerts.length).toBeGreaterThan(0);
  });

  it("filters by time and groups by day, session, provider, variant and (for admins) user", async () => {
    const alice = `alice-${crypto.randomUUID()}@example.com`;
    const bob = `bob-${crypto.randomUUID()}@example.com`;
    const [aliceToken, bobToken, admin] = await Promise.all([login(alice), login(bob), login("admin@example.com")]);
    await createSession(aliceToken);
    await createSession(bobToken);
    const day1 = Date.UTC(2026, 9, 1, 12);
    const day2 = Date.UTC(2026, 9, 2, 12);
    const a = env.USAGE.getByName(`user:${alice}`);
    await a.settle(
      null,
      record({ user: alice, at: day1, session: "s1", costMicros: 1000, latencyMs: 100, ttftMs: 10 }),
    );
    await a.settle(
      null,
      record({
        user: alice,
        at: day2,
        session: "s2",
        provider: "anthropic",
        model: "claude-haiku-4-5",
        costMicros: 3000,
        latencyMs: 300,
        ttftMs: 30,
        variant: "b",
      }),
    );
    await a.settle(
      null,
      record({
        user: alice,
        at: day2,
        session: "s2",
        status: "error",
        errorCode: "provider_error",
        costMicros: null,
        cacheHit: true,
        savedMicros: 500,
      }),
    );
    await env.USAGE.getByName(`user:${bob}`).settle(null, record({ user: bob, at: day2, costMicros: 7000 }));
    const range = `from=${new Date(day1 - 1000).toISOString()}&to=${day2 + 1000}`;

    const days = await usage(aliceToken, `groupBy=day&${range}`);
    expect(days.map((r) => [r.key, r.calls, r.costUsd])).toEqual([
      ["2026-10-02", 2, 0.003],
      ["2026-10-01", 1, 0.001],
    ]);
    const onlyDay1 = await usage(aliceToken, `groupBy=day&from=${day1 - 1000}&to=${day1 + 1000}`);
    expect(onlyDay1.map((r) => r.key)).toEqual(["2026-10-01"]);
    const sessions = await usage(aliceToken, `groupBy=session&${range}`);
    expect(sessions.find((r) => r.key === "s2")).toMatchObject({
      calls: 2,
      errors: 1,
      errorRate: 0.5,
      cacheHits: 1,
      savedUsd: 0.0005,
      unpricedCalls: 1,
    });
    const providers = await usage(aliceToken, `groupBy=provider&${range}`);
    expect(providers.find((r) => r.key === "anthropic")?.latencyMs).toEqual({ p50: 300, p95: 300, p99: 300 });
    const variants = await usage(aliceToken, `groupBy=variant&${range}`);
    expect(variants.map((r) => r.key).sort()).toEqual(["(none)", "b"]);
    expect((await api(`/api/usage?groupBy=user`, aliceToken)).status).toBe(400);
    expect((await api(`/api/usage?groupBy=day&from=yesterday`, aliceToken)).status).toBe(400);

    const everyone = await api(`/admin/api/usage?groupBy=user&${range}`, admin);
    const rows = (await everyone.json<{ rows: UsageRow[] }>()).rows;
    expect(rows.find((r) => r.key === alice)?.calls).toBe(3);
    expect(rows.find((r) => r.key === bob)?.costUsd).toBe(0.007);
    expect((await api(`/admin/api/usage`, aliceToken)).status).toBe(403);
  });
});
