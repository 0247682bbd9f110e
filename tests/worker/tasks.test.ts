// Scheduled tasks: a recurring task fires on the alarm and its turn reaches every device; a paused one does not.

import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_PROMPT_CHARS, MAX_TASKS, type Task } from "../../objects/session/tasks/task-store";
import { api, createSession, join, login } from "../helpers/workers";

const FAKE = String(Reflect.get(env, "FAKE_LLM_URL"));

/** Makes every task of the session due now, as if its time had come. */
const makeDue = (id: string) =>
  runInDurableObject(env.SESSION.getByName(id), async (_o, state) => {
    state.storage.sql.exec("UPDATE tasks SET next_run_at = ?", Date.now() - 1000);
    await state.storage.setAlarm(Date.now() + 60_000);
  });

describe("scheduled tasks", () => {
  it("runs a recurring task on the alarm for two devices, once for missed runs, and not while paused", async () => {
    const t = `t-${crypto.randomUUID()}`;
    await fetch(`${FAKE}/__script`, {
      method: "POST",
      body: JSON.stringify({ match: t, steps: [{ kind: "text", chunks: ["morning brief"] }] }),
    });
    const token = await login(`tasks-${crypto.randomUUID()}@example.com`);
    const id = await createSession(token);
    const created = await api(`/api/sessions/${id}/tasks`, token, {
      method: "POST",
      body: JSON.stringify({ prompt: `daily brief ${t}`, cron: "0 9 * * *", timeZone: "Europe/Paris" }),
    });
    expect(created.status).toBe(201);
    const task = await created.json<Task>();
    expect(task.nextRunAt).toBeGreaterThan(Date.now());
    const [a, b] = [await join(id, token), await join(id, token)];

    await makeDue(id);
    expect(await runDurableObjectAlarm(env.SESSION.getByName(id))).toBe(true);
    await Promise.all([a.settle(), b.settle()]);
    expect(a.of("user_message").map((m) => [m.text, m.deviceId])).toEqual([[`daily brief ${t}`, "scheduler"]]);
    expect(b.of("assistant_message").at(-1)?.text).toBe("morning brief");
    expect(b.events()).toEqual(a.events());
    const after = (await (await api(`/api/sessions/${id}/tasks`, token)).json<{ tasks: Task[] }>()).tasks[0];
    expect(after?.lastRunAt).not.toBeNull();
    expect(after?.nextRunAt).toBeGreaterThan(Date.now());

    const paused = await api(`/api/sessions/${id}/tasks/${task.id}`, token, {
      method: "PATCH",
      body: JSON.stringify({ paused: true }),
    });
    expect((await paused.json<Task>()).paused).toBe(true);
    await makeDue(id);
    await runDurableObjectAlarm(env.SESSION.getByName(id));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(a.of("user_message")).toHaveLength(1);

    expect((await api(`/api/sessions/${id}/tasks/${task.id}`, token, { method: "DELETE" })).status).toBe(204);
    expect((await (await api(`/api/sessions/${id}/tasks`, token)).json<{ tasks: Task[] }>()).tasks).toEqual([]);
  });

  it("refuses bad schedules with a clear error, takes day names and nicknames, and refuses other users' sessions", async () => {
    const token = await login(`tasks-bad-${crypto.randomUUID()}@example.com`);
    const id = await createSession(token);
    for (const body of [
      { prompt: "x", cron: "61 * * * *" },
      { prompt: "x", cron: "0 9 * * *", timeZone: "Mars/Olympus" },
      { prompt: "x", at: "2001-01-01T00:00:00Z" },
      { prompt: "", cron: "0 9 * * *" },
      { prompt: "x" },
      { prompt: "x", cron: "1-x * * * *" },
      { prompt: "x", cron: "0 0 30 2 *" },
      { prompt: "x", cron: "* * * * * *" },
    ]) {
      const response = await api(`/api/sessions/${id}/tasks`, token, { method: "POST", body: JSON.stringify(body) });
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
    const refused = await api(`/api/sessions/${id}/tasks`, token, {
      method: "POST",
      body: JSON.stringify({ prompt: "x", cron: "1-x * * * *" }),
    });
    expect(await refused.json()).toEqual({
      error: { code: "bad_request", message: expect.stringContaining('invalid cron expression "1-x * * * *"') },
    });
    // Day names and nicknames are taken.
    for (const cron of ["0 9 * * MON-FRI", "@daily"]) {
      const response = await api(`/api/sessions/${id}/tasks`, token, {
        method: "POST",
        body: JSON.stringify({ prompt: "x", cron }),
      });
      expect(response.status, cron).toBe(201);
    }
    expect((await (await api(`/api/sessions/${id}/tasks`, token)).json<{ tasks: Task[] }>()).tasks).toHaveLength(2);
    const other = await login(`other-${crypto.randomUUID()}@example.com`);
    expect((await api(`/api/sessions/${id}/tasks`, other)).status).toBe(404);
  });

  it("keeps prompts of at most 8,000 characters; a longer one is refused with a clear error and nothing stored changes", async () => {
    expect(MAX_PROMPT_CHARS).toBe(8_000);
    const token = await login(`tasks-long-${crypto.randomUUID()}@example.com`);
    const id = await createSession(token);
    const post = (prompt: string) =>
      api(`/api/sessions/${id}/tasks`, token, { method: "POST", body: JSON.stringify({ prompt, cron: "@daily" }) });
    const full = "p".repeat(MAX_PROMPT_CHARS);
    const created = await post(full);
    expect(created.status).toBe(201);
    expect((await created.json<Task>()).prompt).toBe(full);
    const before = await api(`/api/sessions/${id}/tasks`, token).then((r) => r.json<{ tasks: Task[] }>());

    const refused = await post(`${full}p`);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      error: { code: "bad_request", message: "a task needs a prompt of 1 to 8000 characters" },
    });
    expect(await api(`/api/sessions/${id}/tasks`, token).then((r) => r.json())).toEqual(before);
  });

  it("keeps at most 100 tasks a session; the next is refused with a clear error and the others stay", async () => {
    expect(MAX_TASKS).toBe(100);
    const token = await login(`tasks-many-${crypto.randomUUID()}@example.com`);
    const id = await createSession(token);
    const post = (prompt: string) =>
      api(`/api/sessions/${id}/tasks`, token, { method: "POST", body: JSON.stringify({ prompt, cron: "0 9 1 1 *" }) });
    for (let i = 0; i < MAX_TASKS; i++) expect((await post(`task ${i}`)).status).toBe(201);
    const full = await api(`/api/sessions/${id}/tasks`, token).then((r) => r.json<{ tasks: Task[] }>());
    expect(full.tasks.map((t) => t.prompt).sort()).toEqual(
      Array.from({ length: MAX_TASKS }, (_, i) => `task ${i}`).sort(),
    );

    const refused = await post("one too many");
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      error: { code: "bad_request", message: "a session keeps at most 100 tasks" },
    });
    expect(await api(`/api/sessions/${id}/tasks`, token).then((r) => r.json())).toEqual(full);
    // Another session of the same user has its own hundred.
    const second = await createSession(token);
    const elsewhere = await api(`/api/sessions/${second}/tasks`, token, {
      method: "POST",
      body: JSON.stringify({ prompt: "x", cron: "@daily" }),
    });
    expect(elsewhere.status).toBe(201);
  });
});
