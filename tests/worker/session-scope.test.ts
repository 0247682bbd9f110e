// Every route under /api/sessions/:id, as registered, refuses another user's session with 404 before doing anything.

import { describe, expect, it } from "vitest";
import { createApp } from "../../worker/app";
import { api, createSession, login } from "../helpers/workers";

/** The registered routes of one session (middleware entries are method ALL). */
const sessionRoutes = createApp().routes.filter(
  (route) => /^\/api\/sessions\/:id(\/|$)/.test(route.path) && route.method !== "ALL",
);

/** A concrete path for a route pattern: the session id, a stand-in for other parameters and wildcards. */
const pathFor = (pattern: string, id: string) =>
  pattern
    .replace(":id", id)
    .replace(/:[A-Za-z]+/g, "x1")
    .replace(/\*/g, "notes/a.txt");

describe("the session scope", () => {
  it("covers every route of a session the app registers", () => {
    const paths = sessionRoutes.map((route) => `${route.method} ${route.path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        "GET /api/sessions/:id",
        "PATCH /api/sessions/:id",
        "DELETE /api/sessions/:id",
        "GET /api/sessions/:id/messages",
        "GET /api/sessions/:id/ws",
        "GET /api/sessions/:id/artifacts/*",
        "POST /api/sessions/:id/snapshots/:snap/restore",
        "POST /api/sessions/:id/tasks",
        "POST /api/sessions/:id/approvals/:toolCallId",
        "POST /api/sessions/:id/uploads",
        "GET /api/sessions/:id/uploads/:upload",
      ]),
    );
  });

  it("answers 404 session_not_found to another user, and to an admin outside the artifact reads, on every route", async () => {
    const owner = await login(`scope-owner-${crypto.randomUUID()}@example.com`);
    const id = await createSession(owner, "Not yours");
    const stranger = await login(`scope-stranger-${crypto.randomUUID()}@example.com`);
    const admin = await login("admin@example.com");
    const refused: string[] = [];
    for (const route of sessionRoutes) {
      const path = pathFor(route.path, id);
      const callers = path.includes("/artifacts") && route.method === "GET" ? [stranger] : [stranger, admin];
      for (const token of callers) {
        const init = route.method === "GET" ? {} : { method: route.method, body: JSON.stringify({}) };
        const response = await api(path, token, init);
        const body = await response.json<{ error?: { code: string } }>();
        if (response.status !== 404 || body.error?.code !== "session_not_found")
          refused.push(`${route.method} ${path}: ${response.status} ${JSON.stringify(body)}`);
      }
    }
    expect(refused).toEqual([]);
    // Nothing was changed: the session is the owner's, as it was.
    const still = await api(`/api/sessions/${id}`, owner);
    expect(await still.json()).toMatchObject({ id, title: "Not yours", archived: false });
  });
});
