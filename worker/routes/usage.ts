// Usage and budget routes: reports from the users' usage objects (JSON or CSV), and admins' budget overrides.

import { Hono } from "hono";
import { GLOBAL_USAGE, usageByScope } from "../../objects/names";
import { buildReport, type ReportCall, type ReportFeedback, toCsv } from "../../objects/usage/report";
import type { GroupBy } from "../../objects/usage/types";
import type { UsageObject } from "../../objects/usage/usage-object";
import type { AdminBudgets } from "../../protocol/api";
import { AppError } from "../../protocol/errors";
import { isRecord } from "../../protocol/json";
import type { AppEnv } from "../app-env";
import { readJson } from "../http/respond";
import { adminIndex, recordAudit } from "../sessions";

const GROUPS: readonly GroupBy[] = ["day", "model", "provider", "session", "variant", "user", "day_model"];
/** Usage objects read at once by an admin report. */
const FAN_OUT = 8;

const usageStub = (env: Env, scope: string): DurableObjectStub<UsageObject> => usageByScope(env, scope);

function time(url: URL, name: string, fallback: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(value)) throw new AppError("bad_request", `${name} must be an ISO date or epoch milliseconds`);
  return value;
}

export function parseFeedback(body: unknown): { turnId: string; rating: "up" | "down" } {
  if (
    !isRecord(body) ||
    typeof body.turnId !== "string" ||
    body.turnId === "" ||
    (body.rating !== "up" && body.rating !== "down")
  ) {
    throw new AppError("bad_request", 'the body must be {"turnId": "...", "rating": "up" | "down"}');
  }
  return { turnId: body.turnId, rating: body.rating };
}

/** Every user who owns a session, from the admin index. */
async function allUsers(env: Env): Promise<string[]> {
  const users = new Set<string>();
  let cursor: string | null = null;
  do {
    const page = await adminIndex(env).list(100, cursor);
    for (const entry of page.sessions) users.add(entry.owner);
    cursor = page.nextCursor;
  } while (cursor);
  return [...users];
}

export async function usageResponse(env: Env, url: URL, users: string[] | "all", admin: boolean): Promise<Response> {
  const groupBy = url.searchParams.get("groupBy") ?? "day";
  const group = GROUPS.find((g) => g === groupBy);
  if (!group || (group === "user" && !admin)) {
    throw new AppError(
      "bad_request",
      `groupBy must be one of ${GROUPS.filter((g) => admin || g !== "user").join(", ")}`,
    );
  }
  const to = time(url, "to", Date.now());
  const from = time(url, "from", to - 30 * 24 * 60 * 60 * 1000);
  if (from > to) throw new AppError("bad_request", "from must not be after to");
  const scopes = users === "all" ? await allUsers(env) : users;
  const calls: ReportCall[] = [];
  const feedback: ReportFeedback[] = [];
  let truncated = false;
  for (let i = 0; i < scopes.length; i += FAN_OUT) {
    const parts = await Promise.all(
      scopes.slice(i, i + FAN_OUT).map((user) => usageStub(env, `user:${user}`).calls(from, to)),
    );
    for (const part of parts) {
      calls.push(...part.calls);
      feedback.push(...part.feedback);
      truncated ||= part.truncated;
    }
  }
  const rows = buildReport(calls, feedback, group);
  if (url.searchParams.get("format") === "csv") {
    return new Response(toCsv(rows), {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="usage-${group}.csv"`,
      },
    });
  }
  return Response.json({ groupBy: group, from, to, truncated, rows });
}

function limitFrom(body: Record<string, unknown>, field: string): number | null {
  const value = body[field];
  if (value === null || value === undefined) return null;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
    throw new AppError("bad_request", `${field} must be null or a non-negative number of US dollars`);
  return Math.round(value * 1_000_000);
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$|^service:.{1,200}$/;

export function adminUsageRoutes(): Hono<AppEnv> {
  const admin = new Hono<AppEnv>();
  admin.get("/usage", (c) => usageResponse(c.env, new URL(c.req.url), "all", true));
  admin.get("/budgets", async (c) => {
    const users = await allUsers(c.env);
    const budgets = await Promise.all(
      users.map(async (user) => ({ user, ...(await usageStub(c.env, `user:${user}`).budget()) })),
    );
    return c.json({ global: await usageStub(c.env, GLOBAL_USAGE).budget(), users: budgets } satisfies AdminBudgets);
  });
  admin.put("/budgets/:email", async (c) => {
    const user = decodeURIComponent(c.req.param("email")).toLowerCase();
    if (!EMAIL.test(user)) throw new AppError("bad_request", "the path must name a user's email");
    const body = await readJson(c.req.raw);
    if (!isRecord(body)) throw new AppError("bad_request", '{"dailyUsd": number | null, "monthlyUsd": number | null}');
    const limits = { dailyMicros: limitFrom(body, "dailyUsd"), monthlyMicros: limitFrom(body, "monthlyUsd") };
    const status = await usageStub(c.env, `user:${user}`).setBudget(limits, c.var.auth.identity.user);
    await recordAudit(c.env, c.var.auth.identity.user, "budget.set", user, {
      dailyUsd: body.dailyUsd ?? null,
      monthlyUsd: body.monthlyUsd ?? null,
    });
    return c.json({ user, ...status });
  });
  return admin;
}
