// A restore whose archive stream breaks on the way to the sandbox reads the archive again (a restore changes
// nothing unless all of it arrived), up to RESTORE_ATTEMPTS times; other refusals are not retried.

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { snapshotArchiveKey, snapshotManifestKey } from "../../../objects/session/storage/keys";
import { RESTORE_ATTEMPTS, restoreSnapshot } from "../../../objects/session/storage/snapshots";
import { type SandboxBackend, SandboxError } from "../../../sandbox/types";

const SESSION = "s-retry";

/** A stored snapshot: its archive and a manifest naming it. */
async function stored(): Promise<{ id: string; bytes: Uint8Array }> {
  const id = `0000000001-${crypto.randomUUID().slice(0, 8)}`;
  const bytes = crypto.getRandomValues(new Uint8Array(50_000));
  const key = snapshotArchiveKey(SESSION, id);
  await env.FILES.put(key, bytes);
  const manifest = { id, sessionId: SESSION, archive: { key, bytes: bytes.length, sha256: "ab".repeat(32) } };
  await env.FILES.put(snapshotManifestKey(SESSION, id), JSON.stringify(manifest));
  return { id, bytes };
}

/** A sandbox whose restore fails with `failures` (in order) before it reads a whole archive. */
function sandbox(failures: SandboxError[]) {
  const received: number[] = [];
  let calls = 0;
  const unused = () => Promise.reject(new Error("not used by a restore"));
  const backend: SandboxBackend = {
    exec: unused,
    readFile: unused,
    writeFile: unused,
    listFiles: unused,
    deleteFile: unused,
    archive: unused,
    destroy: unused,
    async restore(_id, archive) {
      calls++;
      const failure = failures.shift();
      if (failure) throw failure;
      received.push((await new Response(archive).arrayBuffer()).byteLength);
    },
  };
  return { backend, received, calls: () => calls };
}

describe("restoreSnapshot", () => {
  it("reads the archive again when its stream broke on the way", async () => {
    const { id, bytes } = await stored();
    const lost = () => new SandboxError("sandbox_unavailable", "Network connection lost.");
    const box = sandbox([lost(), lost()]);
    const outcome = await restoreSnapshot({ bucket: env.FILES, sandbox: box.backend, sessionId: SESSION }, id);
    expect(outcome.ok).toBe(true);
    expect(box.calls()).toBe(3);
    expect(box.received).toEqual([bytes.length]);
  });

  it(`gives up after ${RESTORE_ATTEMPTS} broken streams`, async () => {
    const { id } = await stored();
    const failures = Array.from({ length: RESTORE_ATTEMPTS }, () => new SandboxError("sandbox_unavailable", "lost"));
    const box = sandbox(failures);
    await expect(restoreSnapshot({ bucket: env.FILES, sandbox: box.backend, sessionId: SESSION }, id)).rejects.toThrow(
      "lost",
    );
    expect(box.calls()).toBe(RESTORE_ATTEMPTS);
  });

  it("does not retry a refusal", async () => {
    const { id } = await stored();
    const box = sandbox([new SandboxError("workspace_full", "the archive unpacks past the bound")]);
    const outcome = await restoreSnapshot({ bucket: env.FILES, sandbox: box.backend, sessionId: SESSION }, id);
    expect(outcome).toMatchObject({ ok: false, code: "workspace_full" });
    expect(box.calls()).toBe(1);
  });
});
