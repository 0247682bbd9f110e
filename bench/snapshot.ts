// Benchmark: snapshot and restore of a 1,000-file, 50 MB workspace through the API (R2 in miniflare, local sandbox).

import { call, login, newSession } from "../tests/e2e/helpers/client.ts";
import { fmt, median, table } from "./stats.ts";

export async function benchSnapshot(base: string, sandbox: { url: string; secret: string }, rounds = 3) {
  const token = await login(base, "bench-snapshot@example.com");
  const id = await newSession(base, token);
  const fill = await fetch(`${sandbox.url}/sessions/${id}/exec`, {
    method: "POST",
    headers: { authorization: `Bearer ${sandbox.secret}` },
    body: JSON.stringify({
      command:
        "mkdir -p data && for i in $(seq 1 1000); do head -c 52428 /dev/urandom > data/f$i.bin; done && du -sb data",
      timeoutMs: 120_000,
    }),
  });
  const size = (await fill.text()).match(/"data":"(\d+)/)?.[1];
  if (!size) throw new Error("could not fill the workspace");
  const snaps: number[] = [];
  const restores: number[] = [];
  let archiveBytes = 0;
  for (let i = 0; i < rounds; i++) {
    let started = performance.now();
    const created = await call(base, `/api/sessions/${id}/snapshots`, token, { method: "POST" });
    const snap = (await created.json()) as { id: string; archive: { bytes: number } };
    snaps.push(performance.now() - started);
    archiveBytes = snap.archive.bytes;
    started = performance.now();
    const restored = await call(base, `/api/sessions/${id}/snapshots/${snap.id}/restore`, token, { method: "POST" });
    if (!restored.ok) throw new Error(`restore failed: ${restored.status}`);
    restores.push(performance.now() - started);
  }
  const markdown = table(
    ["measure", "value"],
    [
      ["workspace", `1,000 files, ${size} bytes (random, incompressible)`],
      ["archive size", `${(archiveBytes / 1e6).toFixed(1)} MB`],
      [`snapshot (archive + file hashes + R2 put), median of ${rounds}`, `${fmt(median(snaps), 0)} ms`],
      [`restore (R2 ranged gets + checksum + verified extract), median of ${rounds}`, `${fmt(median(restores), 0)} ms`],
    ],
  );
  return { markdown, figures: { snapshotMs: median(snaps), restoreMs: median(restores), archiveBytes } };
}
