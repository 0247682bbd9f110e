// Faults inside workerd: a stalled provider, R2 failing a put and a get; each leaves a clear error and nothing lost.

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Script } from "../../devtools/demo-model/scripts";
import { listSnapshots, restoreSnapshot, takeSnapshot } from "../../objects/session/storage/snapshots";
import type { SandboxBackend } from "../../sandbox/types";
import { createSession, join, login } from "../helpers/workers";

const FAKE = String(Reflect.get(env, "FAKE_LLM_URL"));

/** An R2 bucket that fails the chosen operation. */
function failing(bucket: R2Bucket, fail: "put" | "get"): R2Bucket {
  return new Proxy(bucket, {
    get(target, property) {
      if (property === fail) return () => Promise.reject(new Error(`R2 ${fail} failed (injected)`));
      const value: unknown = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

const sandbox = (restored: string[]): SandboxBackend => ({
  exec: async () => ({
    exitCode: 0,
    signal: null,
    timedOut: false,
    truncated: false,
    durationMs: 1,
    stdout: "",
    stderr: "",
  }),
  readFile: async () => new Uint8Array(),
  writeFile: async () => undefined,
  listFiles: async () => [],
  deleteFile: async () => undefined,
  archive: async () => new Blob([new Uint8Array([1, 2, 3])]).stream(),
  restore: async (id) => {
    restored.push(id);
  },
  destroy: async () => undefined,
});

describe("faults", () => {
  it("ends a stalled provider stream with an error, keeps what came, and goes on", async () => {
    const t = `t-${crypto.randomUUID()}`;
    const steps: Script["steps"] = [
      { kind: "stall", chunks: ["before the stall"], stallMs: 4000 },
      { kind: "text", chunks: ["recovered"] },
    ];
    await fetch(`${FAKE}/__script`, { method: "POST", body: JSON.stringify({ match: t, steps }) });
    const token = await login(`stall-${crypto.randomUUID()}@example.com`);
    const device = await join(await createSession(token), token);
    device.send({ type: "user_message", id: "1", text: `stall ${t}` });
    await device.until(() => device.of("turn_end").length === 1);
    expect(device.of("assistant_message")[0]).toMatchObject({ text: "before the stall", partial: true });
    expect(
      device
        .events()
        .filter((e) => e.type === "error")
        .at(-1),
    ).toMatchObject({ code: "stream_stalled" });
    device.send({ type: "user_message", id: "2", text: `again ${t}` });
    await device.until(() => device.of("turn_end").length === 2);
    expect(device.of("assistant_message").at(-1)?.text).toBe("recovered");
  });

  it("offers no snapshot when R2 fails a put, and restores nothing when it fails a get", async () => {
    const sessionId = `faults-${crypto.randomUUID()}`;
    const deps = { sandbox: sandbox([]), sessionId, title: "t", events: () => [], retention: 5 };
    await expect(takeSnapshot({ ...deps, bucket: failing(env.FILES, "put") }, "manual")).rejects.toThrow(/injected/);
    expect(await listSnapshots(env.FILES, sessionId)).toEqual([]);

    const restored: string[] = [];
    const snap = await takeSnapshot({ ...deps, bucket: env.FILES }, "manual");
    await expect(
      restoreSnapshot({ bucket: failing(env.FILES, "get"), sandbox: sandbox(restored), sessionId }, snap.id),
    ).rejects.toThrow(/injected/);
    expect(restored).toEqual([]);
    expect((await restoreSnapshot({ bucket: env.FILES, sandbox: sandbox(restored), sessionId }, snap.id)).ok).toBe(
      true,
    );
    expect(restored).toEqual([sessionId]);
  });

  it("keeps the newest SNAPSHOT_RETENTION snapshots, and removes one left incomplete for an hour", async () => {
    const sessionId = `prune-${crypto.randomUUID()}`;
    const deps = { sandbox: sandbox([]), sessionId, title: "t", events: () => [], retention: 5, bucket: env.FILES };
    const prefix = `sessions/${sessionId}/snapshots/`;
    // An upload that failed before its manifest two hours ago, and one still under way.
    const idAt = (ms: number) => `${ms.toString(36).padStart(10, "0")}-abcdef12`;
    const abandoned = idAt(Date.now() - 2 * 3_600_000);
    const underWay = idAt(Date.now() - 60_000);
    for (const id of [abandoned, underWay]) await env.FILES.put(`${prefix}${id}/archive.tgz`, "partial");
    const taken: string[] = [];
    for (let i = 0; i < 6; i++) taken.push((await takeSnapshot(deps, "manual")).id);
    // Ids sort by the time they began (two begun in one millisecond by their random part).
    const newest = [...taken].sort().reverse().slice(0, 5);
    expect((await listSnapshots(env.FILES, sessionId)).map((s) => s.id)).toEqual(newest);
    const left = (await env.FILES.list({ prefix })).objects.map((o) => o.key.slice(prefix.length).split("/")[0]);
    expect(new Set(left)).toEqual(new Set([...newest, underWay]));
  });
});
