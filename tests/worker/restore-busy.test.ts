// A restore while a command runs in the workspace answers 409 sandbox_busy through the API and changes nothing
// (review V1); once the command is over, the same restore goes through.

import { env } from "cloudflare:test";
import { expect, it } from "vitest";
import { api, createSession, login } from "../helpers/workers";

const SANDBOX = String(Reflect.get(env, "SANDBOX_URL"));
const SECRET = String(Reflect.get(env, "SANDBOX_SECRET"));

const exec = (id: string, command: string, signal?: AbortSignal) =>
  fetch(`${SANDBOX}/sessions/${id}/exec`, {
    method: "POST",
    headers: { authorization: `Bearer ${SECRET}` },
    body: JSON.stringify({ command, timeoutMs: 60_000 }),
    ...(signal ? { signal } : {}),
  });

it("answers 409 sandbox_busy to a restore while a command runs, and restores once it is over", async () => {
  const token = await login(`busy-${crypto.randomUUID()}@example.com`);
  const id = await createSession(token);
  await (await exec(id, "echo before > a.txt")).text();
  const snap = await (await api(`/api/sessions/${id}/snapshots`, token, { method: "POST" })).json<{ id: string }>();
  await (await exec(id, "echo after > a.txt")).text();

  // A command that has started (its first line arrived) and keeps running.
  const abort = new AbortController();
  const running = await exec(id, "echo started; sleep 60", abort.signal);
  const reader = running.body?.getReader();
  if (!reader) throw new Error("no output stream");
  await reader.read();
  const refused = await api(`/api/sessions/${id}/snapshots/${snap.id}/restore`, token, { method: "POST" });
  expect(refused.status).toBe(409);
  const body = await refused.json<{ error: { code: string; message: string } }>();
  expect(body.error.code).toBe("sandbox_busy");
  expect(body.error.message).toMatch(/command is running/);
  expect(await (await exec(id, "cat a.txt")).text()).toContain("after");

  abort.abort();
  await reader.cancel().catch(() => undefined);
  // The host sees the command end asynchronously; the restore then goes through.
  let status = 409;
  while (status === 409) {
    const again = await api(`/api/sessions/${id}/snapshots/${snap.id}/restore`, token, { method: "POST" });
    status = again.status;
    await again.body?.cancel();
    if (status === 409) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(status).toBe(200);
  expect(await (await exec(id, "cat a.txt")).text()).toContain("before");
}, 60_000);
