// The session routes: create, list, read, rename, delete, ownership.

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ADMIN_INDEX } from "../../objects/directory/directory-object";
import { api, createSession, login } from "../helpers/workers";

describe("sessions API", () => {
  it("creates, lists newest first, reads, renames and deletes a session", async () => {
    const token = await login("alice@example.com");
    const first = await createSession(token, "first");
    const second = await createSession(token);
    const list = await (await api("/api/sessions", token)).json<{ sessions: { id: string; title: string }[] }>();
    expect(list.sessions.map((s) => s.id)).toEqual([second, first]);
    expect(list.sessions[1]?.title).toBe("first");

    const one = await api(`/api/sessions/${first}`, token);
    expect(one.status).toBe(200);
    const renamed = await api(`/api/sessions/${first}`, token, {
      method: "PATCH",
      body: JSON.stringify({ title: "renamed" }),
    });
    expect((await renamed.json<{ title: string }>()).title).toBe("renamed");

    expect((await api(`/api/sessions/${first}`, token, { method: "DELETE" })).status).toBe(204);
    expect((await api(`/api/sessions/${first}`, token)).status).toBe(404);
    const after = await (await api("/api/sessions", token)).json<{ sessions: { id: string }[] }>();
    expect(after.sessions.map((s) => s.id)).toEqual([second]);
  });

  it("answers 404 for another user's session on every route", async () => {
    const alice = await login("alice@example.com");
    const bob = await login("bob@example.com");
    const id = await createSession(alice);
    for (const [method, path] of [
      ["GET", `/api/sessions/${id}`],
      ["GET", `/api/sessions/${id}/messages`],
      ["DELETE", `/api/sessions/${id}`],
      ["PATCH", `/api/sessions/${id}`],
    ] as const) {
      const response = await api(path, bob, { method, ...(method === "PATCH" ? { body: '{"title":"x"}' } : {}) });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(await response.json()).toEqual({ error: { code: "session_not_found", message: "no such session" } });
    }
    const ws = await api(`/api/sessions/${id}/ws`, bob, { headers: { upgrade: "websocket" } });
    expect(ws.status).toBe(404);
    expect((await api(`/api/sessions/${id}`, alice)).status).toBe(200);
  });

  it("refuses bad bodies with a clear error and stores nothing", async () => {
    const token = await login("carol@example.com");
    const bad = await api("/api/sessions", token, { method: "POST", body: "{not json" });
    expect(bad.status).toBe(400);
    expect((await bad.json<{ error: { code: string } }>()).error.code).toBe("invalid_json");
    const badTitle = await api("/api/sessions", token, { method: "POST", body: JSON.stringify({ title: 42 }) });
    expect(badTitle.status).toBe(400);
    const list = await (await api("/api/sessions", token)).json<{ sessions: unknown[] }>();
    expect(list.sessions).toEqual([]);
    expect((await api("/api/sessions/not-an-id", token)).status).toBe(404);
    expect((await api("/api/sessions?limit=0", token)).status).toBe(400);
  });

  it("lists a new session in the owner's directory and the admin index by 201; ownership reads the directory alone", async () => {
    const email = `owner-${crypto.randomUUID()}@example.com`;
    const token = await login(email);
    const id = await createSession(token);
    const directory = env.DIRECTORY.getByName(`user:${email}`);
    const index = env.DIRECTORY.getByName(ADMIN_INDEX);
    // Both were written before the answer: the session exists (its object answers) and is listed in both.
    expect((await env.SESSION.getByName(id).getMeta())?.owner).toBe(email);
    const listed = await directory.get(id);
    expect(listed?.owner).toBe(email);
    expect((await index.get(id))?.owner).toBe(email);
    // Without its admin index entry the owner still reaches it; without the directory entry nobody does.
    await index.remove(id);
    expect((await api(`/api/sessions/${id}`, token)).status).toBe(200);
    if (listed) await index.put(listed);
    await directory.remove(id);
    expect((await api(`/api/sessions/${id}`, token)).status).toBe(404);
    expect((await api(`/api/sessions/${id}/ws`, token, { headers: { upgrade: "websocket" } })).status).toBe(404);
  });
});
