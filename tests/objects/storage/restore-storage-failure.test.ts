// A restore whose ranged reads out of R2 keep failing answers storage_unavailable, is not started over as a
// broken sandbox connection would be, and the sandbox never receives the whole archive.

import { env } from "cloudflare:test";
import { expect, it } from "vitest";
import { RANGE_ATTEMPTS } from "../../../objects/session/storage/archive-download";
import { hex } from "../../../objects/session/storage/archive-upload";
import { snapshotArchiveKey, snapshotManifestKey } from "../../../objects/session/storage/keys";
import { restoreSnapshot } from "../../../objects/session/storage/snapshots";
import { restoreOnly } from "../../helpers/restore-only";

const SESSION = "s-storage-failure";

it(`answers storage_unavailable after ${RANGE_ATTEMPTS} failed reads of one range, and the sandbox commits nothing`, async () => {
  const id = `0000000001-${crypto.randomUUID().slice(0, 8)}`;
  const bytes = crypto.getRandomValues(new Uint8Array(3000));
  const key = snapshotArchiveKey(SESSION, id);
  await env.FILES.put(key, bytes);
  const sha256 = hex(await crypto.subtle.digest("SHA-256", bytes));
  await env.FILES.put(snapshotManifestKey(SESSION, id), JSON.stringify({ id, archive: { key, bytes: 3000, sha256 } }));
  // The second range of 1,000 bytes never comes back.
  let ranged = 0;
  const bucket = new Proxy(env.FILES, {
    get(target, property) {
      if (property !== "get") {
        const value: unknown = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      }
      return async (k: string, options?: R2GetOptions) => {
        const range = options?.range;
        if (range && "offset" in range && range.offset === 1000) {
          ranged++;
          throw new Error("We encountered an internal error. Please try again.");
        }
        return target.get(k, options);
      };
    },
  });
  let calls = 0;
  let received = 0;
  let committed = false;
  const sandbox = restoreOnly(async (_id, archive) => {
    calls++;
    if (archive instanceof Uint8Array) throw new Error("expected a stream");
    for await (const chunk of archive) received += chunk.byteLength;
    committed = true;
  });
  const outcome = await restoreSnapshot({ bucket, sandbox, sessionId: SESSION }, id, { rangeBytes: 1000 });
  expect(outcome).toMatchObject({ ok: false, code: "storage_unavailable" });
  expect(ranged).toBe(RANGE_ATTEMPTS);
  expect(calls).toBe(1);
  expect(received).toBe(1000);
  expect(committed).toBe(false);
});
