// Snapshots, restore, artifacts and exports in miniflare's R2, with the real local sandbox host.

import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Script } from "../../devtools/demo-model/scripts";
import { snapshotArchiveKey, snapshotsPrefix } from "../../objects/session/storage/keys";
import { SESSION_ALARMS } from "../../objects/session/tasks/scheduler";
import { AlarmMultiplexer } from "../../objects/shared/alarms";
import { api, createSession, join, login } from "../helpers/workers";

const FAKE = String(Reflect.get(env, "FAKE_LLM_URL"));
const SANDBOX = String(Reflect.get(env, "SANDBOX_URL"));
const SECRET = String(Reflect.get(env, "SANDBOX_SECRET"));

/** Runs a command in a session's sandbox directly on the host (the tests' own hands). */
async function sh(sessionId: string, command: string): Promise<string> {
  const response = await fetch(`${SANDBOX}/sessions/${sessionId}/exec`, {
    method: "POST",
    headers: { authorization: `Bearer ${SECRET}` },
    body: JSON.stringify({ command }),
  });
  const lines = (await response.text())
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  return lines
    .filter((l) => l.type === "stdout")
    .map((l) => l.data)
    .join("");
}

const fingerprint = (id: string) => sh(id, "find . -type f -exec sha256sum {} + | sort; find . -type l | sort");

async function owned(): Promise<{ id: string; token: string }> {
  const token = await login(`files-${crypto.randomUUID()}@example.com`);
  return { id: await createSession(token), token };
}

/** Makes the session's booked idle snapshot due now, its alarm set ahead so only the test runs it. */
async function idleDueNow(state: DurableObjectState): Promise<void> {
  new AlarmMultiplexer(state.storage).book(SESSION_ALARMS.idleSnapshot, Date.now() - 1);
  await state.storage.setAlarm(Date.now() + 60_000);
}

describe("snapshots", () => {
  it("snapshots, changes, restores byte for byte, and tells the devices", async () => {
    const { id, token } = await owned();
    const device = await join(id, token);
    await sh(
      id,
      "mkdir -p src && head -c 200000 /dev/urandom > src/blob.bin && echo hello > a.txt && ln -s a.txt link",
    );
    const before = await fingerprint(id);
    const created = await api(`/api/sessions/${id}/snapshots`, token, { method: "POST" });
    expect(created.status).toBe(201);
    const snap = await created.json<{ id: string; fileCount: number; archive: { sha256: string } }>();
    expect(snap.fileCount).toBe(2);
    expect((await device.waitFor("snapshot"))[0]).toMatchObject({ snapshotId: snap.id, reason: "manual", files: 2 });

    await sh(id, "rm -rf src && echo changed > a.txt && touch new");
    expect(await fingerprint(id)).not.toBe(before);
    const restored = await api(`/api/sessions/${id}/snapshots/${snap.id}/restore`, token, { method: "POST" });
    expect(restored.status).toBe(200);
    expect(await fingerprint(id)).toBe(before);
    const manifest = await env.FILES.get(`${snapshotsPrefix(id)}${snap.id}/manifest.json`);
    if (!manifest) throw new Error("the manifest is missing");
    const { files } = await manifest.json<{ files: { path: string; size: number }[] }>();
    expect(files.map((f) => [f.path, f.size]).sort()).toEqual([
      ["a.txt", 6],
      ["src/blob.bin", 200000],
    ]);
    expect(await env.FILES.head(`${snapshotsPrefix(id)}${snap.id}/transcript.md`)).not.toBeNull();
  });

  it("refuses a corrupted archive and changes nothing; never offers a half-written snapshot", async () => {
    const { id, token } = await owned();
    await sh(id, "echo original > keep.txt");
    const snap = await (await api(`/api/sessions/${id}/snapshots`, token, { method: "POST" })).json<{ id: string }>();
    await sh(id, "echo edited > keep.txt");
    const edited = await fingerprint(id);
    await env.FILES.put(snapshotArchiveKey(id, snap.id), new Uint8Array([31, 139, 8, 0, 1, 2, 3]));
    const refused = await api(`/api/sessions/${id}/snapshots/${snap.id}/restore`, token, { method: "POST" });
    expect(refused.status).toBe(422);
    expect((await refused.json<{ error: { code: string } }>()).error.code).toBe("snapshot_corrupt");
    expect(await fingerprint(id)).toBe(edited);
    await env.FILES.delete(snapshotArchiveKey(id, snap.id));
    expect((await api(`/api/sessions/${id}/snapshots/${snap.id}/restore`, token, { method: "POST" })).status).toBe(422);
    expect((await api(`/api/sessions/${id}/snapshots/nope/restore`, token, { method: "POST" })).status).toBe(404);

    // An archive whose manifest was never written (interrupted half-way) is not listed.
    await env.FILES.put(snapshotArchiveKey(id, "zzzzzzzzzz-halfway"), new Uint8Array([1]));
    const list = await (await api(`/api/sessions/${id}/snapshots`, token)).json<{ snapshots: { id: string }[] }>();
    expect(list.snapshots.map((s) => s.id)).toEqual([snap.id]);
  });

  it("restores the newest snapshot into a fresh sandbox before a tool touches it", async () => {
    const t = `t-${crypto.randomUUID()}`;
    const read = {
      kind: "tools" as const,
      calls: [{ id: "r", name: "read_file", args: JSON.stringify({ path: "kept.txt" }) }],
    };
    await fetch(`${FAKE}/__script`, {
      method: "POST",
      body: JSON.stringify({ match: t, steps: [read, { kind: "text", chunks: ["ok"] }] }),
    });
    const { id, token } = await owned();
    await sh(id, "echo survives recycling > kept.txt");
    await api(`/api/sessions/${id}/snapshots`, token, { method: "POST" });
    // The container is recycled: its workspace is gone.
    await fetch(`${SANDBOX}/sessions/${id}`, { method: "DELETE", headers: { authorization: `Bearer ${SECRET}` } });
    expect(await sh(id, "ls")).toBe("");
    const device = await join(id, token);
    device.send({ type: "user_message", id: "1", text: `read it ${t}` });
    await device.settle();
    expect(device.of("tool_result")[0]).toMatchObject({ ok: true, output: "survives recycling\n" });
  });

  it("takes an idle snapshot from the alarm when tools touched the workspace", async () => {
    const t = `t-${crypto.randomUUID()}`;
    const write = {
      kind: "tools" as const,
      calls: [{ id: "w", name: "write_file", args: JSON.stringify({ path: "idle.txt", content: "x" }) }],
    };
    await fetch(`${FAKE}/__script`, {
      method: "POST",
      body: JSON.stringify({ match: t, steps: [write, { kind: "text", chunks: ["ok"] }] }),
    });
    const { id, token } = await owned();
    const device = await join(id, token);
    device.send({ type: "user_message", id: "1", text: `write ${t}` });
    await device.settle();
    const stub = env.SESSION.getByName(id);
    // The turn's end scheduled the idle snapshot; make it due now and let the alarm run.
    await runInDurableObject(stub, (_o, state) => idleDueNow(state));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const [snapshot] = await device.waitFor("snapshot");
    expect(snapshot).toMatchObject({ reason: "idle", files: 1 });
    // Nothing changed since: the next idle alarm takes none.
    await runInDurableObject(stub, (_o, state) => idleDueNow(state));
    await runDurableObjectAlarm(stub);
    expect(
      (await (await api(`/api/sessions/${id}/snapshots`, token)).json<{ snapshots: unknown[] }>()).snapshots,
    ).toHaveLength(1);
  });

  it("keeps the newest N snapshots", async () => {
    const { id, token } = await owned();
    await sh(id, "echo x > f");
    const ids: string[] = [];
    for (let i = 0; i < 7; i++)
      ids.push(
        (await (await api(`/api/sessions/${id}/snapshots`, token, { method: "POST" })).json<{ id: string }>()).id,
      );
    const list = await (await api(`/api/sessions/${id}/snapshots`, token)).json<{ snapshots: { id: string }[] }>();
    expect(list.snapshots.map((s) => s.id)).toEqual(ids.slice(-5).reverse());
    const objects = await env.FILES.list({ prefix: snapshotsPrefix(id) });
    expect(new Set(objects.objects.map((o) => o.key.split("/")[3])).size).toBe(5);
    // Seven snapshots, each several sandbox calls: more than the default 5 s on a busy 2-core machine.
  }, 30_000);
});

describe("artifacts and lifecycle", () => {
  it("saves an artifact with its type, serves it as a download, and exports the transcript", async () => {
    const t = `t-${crypto.randomUUID()}`;
    const steps: Script["steps"] = [
      {
        kind: "tools",
        calls: [
          { id: "a1", name: "save_artifact", args: JSON.stringify({ path: "report.html", name: "out/report.html" }) },
        ],
      },
      { kind: "text", chunks: ["saved"] },
    ];
    await fetch(`${FAKE}/__script`, { method: "POST", body: JSON.stringify({ match: t, steps }) });
    const { id, token } = await owned();
    await sh(id, "echo '<script>alert(1)</script>' > report.html");
    const device = await join(id, token);
    device.send({ type: "user_message", id: "1", text: `save it ${t}` });
    await device.settle();
    expect(device.of("tool_result")[0]).toMatchObject({ ok: true, output: expect.stringContaining("saved") });
    const list = await (await api(`/api/sessions/${id}/artifacts`, token)).json<{
      artifacts: { name: string; contentType: string }[];
    }>();
    expect(list.artifacts).toEqual([
      expect.objectContaining({ name: "out/report.html", contentType: "text/html; charset=utf-8" }),
    ]);
    const download = await api(`/api/sessions/${id}/artifacts/out/report.html`, token);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-disposition")).toMatch(/^attachment; filename="report.html"/);
    expect(download.headers.get("content-security-policy")).toContain("sandbox");
    expect(download.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await download.text()).toContain("<script>");
    const exported = await (await api(`/api/sessions/${id}/exports`, token, { method: "POST" })).json<{
      artifacts: string[];
    }>();
    const md = await (await api(`/api/sessions/${id}/artifacts/${exported.artifacts[1]}`, token)).text();
    expect(md).toContain(`save it ${t}`);
    const admin = await login("admin@example.com");
    expect((await api(`/api/sessions/${id}/artifacts/out/report.html`, admin)).status).toBe(200);
  });

  it("answers 404 to another user on every file route, and deleting a session leaves no object", async () => {
    const { id, token } = await owned();
    await sh(id, "echo x > f");
    await api(`/api/sessions/${id}/snapshots`, token, { method: "POST" });
    await env.FILES.put(`sessions/${id}/artifacts/note.txt`, "hi");
    const other = await login(`other-${crypto.randomUUID()}@example.com`);
    for (const [method, path] of [
      ["GET", "artifacts"],
      ["GET", "artifacts/note.txt"],
      ["GET", "snapshots"],
      ["POST", "snapshots"],
      ["POST", "snapshots/x/restore"],
      ["POST", "exports"],
    ] as const) {
      expect((await api(`/api/sessions/${id}/${path}`, other, { method })).status, `${method} ${path}`).toBe(404);
    }
    expect((await env.FILES.list({ prefix: `sessions/${id}/` })).objects.length).toBeGreaterThan(0);
    expect((await api(`/api/sessions/${id}`, token, { method: "DELETE" })).status).toBe(204);
    expect((await env.FILES.list({ prefix: `sessions/${id}/` })).objects).toEqual([]);
  });
});
