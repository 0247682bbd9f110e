// Benchmark: snapshot and restore of large workspaces (default 64 MiB, 256 MiB and 1 GiB of incompressible files)
// through the API, R2 in miniflare, local sandbox; workerd's resident set sampled before, during and after.
// The session object streams archives, so its memory must not grow with the workspace's size.
// Alone: `node bench/snapshot-large.ts` (BENCH_SNAPSHOT_MB="64,256,1024" picks the sizes); `npm run bench` runs it
// too. The machine's load average is noted per row: the times depend on it, the memory should not.

import { request } from "node:http";
import { loadavg } from "node:os";
import { startFakeLlm } from "../devtools/demo-model/server.ts";
import { call, login, newSession } from "../tests/e2e/helpers/client.ts";
import { startDevServer } from "../tests/e2e/helpers/dev-server.ts";
import { workerdRss } from "./rss.ts";
import { fmt, table } from "./stats.ts";

/** A POST with no client-side deadline (a 1 GiB snapshot answers after minutes; fetch gives up at 5). */
function post(url: string, headers: Record<string, string>, body = ""): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers, timeout: 0 }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.once("error", reject);
    req.end(body);
  });
}

/** workerd's resident set in MiB. */
const workerdRssMiB = (group: number) => workerdRss(group) / 2 ** 20;

/** Runs `work` while sampling the resident set every 100 ms; returns the peak. */
async function peakDuring<T>(
  group: number,
  work: () => Promise<T>,
): Promise<{ value: T; peakMiB: number; ms: number }> {
  let peak = workerdRssMiB(group);
  const timer = setInterval(() => {
    peak = Math.max(peak, workerdRssMiB(group));
  }, 100);
  const started = performance.now();
  try {
    const value = await work();
    return { value, peakMiB: Math.max(peak, workerdRssMiB(group)), ms: performance.now() - started };
  } finally {
    clearInterval(timer);
  }
}

interface Row {
  mib: number;
  archiveBytes: number;
  baseline: number;
  snapshot: { peakMiB: number; ms: number };
  restore: { peakMiB: number; ms: number };
  after: number;
  /** The 1-minute load average when the row started. */
  load: number;
}

async function one(base: string, sandbox: { url: string; secret: string }, group: number, mib: number): Promise<Row> {
  const load = loadavg()[0] ?? 0;
  const token = await login(base, `bench-large-${mib}@example.com`);
  const id = await newSession(base, token);
  const files = Math.max(1, Math.round(mib / 8));
  const fill = await post(
    `${sandbox.url}/sessions/${id}/exec`,
    { authorization: `Bearer ${sandbox.secret}` },
    JSON.stringify({
      command: `mkdir -p data && for i in $(seq 1 ${files}); do head -c ${Math.round((mib * 1024 * 1024) / files)} /dev/urandom > data/f$i.bin; done && du -sm data`,
      timeoutMs: 600_000,
    }),
  );
  if (!fill.text.includes('"exitCode":0')) throw new Error(`could not fill a ${mib} MiB workspace`);
  const baseline = workerdRssMiB(group);
  const snapshot = await peakDuring(group, async () => {
    const created = await post(`${base}/api/sessions/${id}/snapshots`, { "cf-access-jwt-assertion": token });
    if (created.status !== 201) throw new Error(`snapshot failed: ${created.status} ${created.text}`);
    return JSON.parse(created.text) as { id: string; archive: { bytes: number } };
  });
  const restore = await peakDuring(group, async () => {
    const restored = await post(`${base}/api/sessions/${id}/snapshots/${snapshot.value.id}/restore`, {
      "cf-access-jwt-assertion": token,
    });
    if (restored.status !== 200) throw new Error(`restore failed: ${restored.status} ${restored.text}`);
  });
  await call(base, `/api/sessions/${id}`, token, { method: "DELETE" });
  return {
    mib,
    archiveBytes: snapshot.value.archive.bytes,
    baseline,
    snapshot: { peakMiB: snapshot.peakMiB, ms: snapshot.ms },
    restore: { peakMiB: restore.peakMiB, ms: restore.ms },
    after: workerdRssMiB(group),
    load,
  };
}

export async function benchLargeSnapshot(
  base: string,
  sandbox: { url: string; secret: string },
  group: number,
  sizesMiB: number[],
) {
  const rows: Row[] = [];
  for (const mib of sizesMiB) {
    const row = await one(base, sandbox, group, mib);
    rows.push(row);
    // Each row as it comes: a 1 GiB row takes minutes, and a later one may fail.
    console.error(`snapshot-large: ${JSON.stringify(row)}`);
  }
  const markdown = table(
    [
      "workspace",
      "archive",
      "snapshot",
      "restore",
      "workerd RSS before",
      "peak in snapshot",
      "peak in restore",
      "after",
      "load (1 min)",
    ],
    rows.map((r) => [
      `${r.mib} MiB`,
      `${fmt(r.archiveBytes / 2 ** 20, 0)} MiB`,
      `${fmt(r.snapshot.ms / 1000, 1)} s`,
      `${fmt(r.restore.ms / 1000, 1)} s`,
      `${fmt(r.baseline, 0)} MiB`,
      `${fmt(r.snapshot.peakMiB, 0)} MiB`,
      `${fmt(r.restore.peakMiB, 0)} MiB`,
      `${fmt(r.after, 0)} MiB`,
      fmt(r.load, 1),
    ]),
  );
  return { markdown, rows };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = (process.env.BENCH_SNAPSHOT_MB ?? "64,256,1024").split(",").map(Number);
  // No model is called here, but the service refuses to start without a configured provider.
  const llm = await startFakeLlm();
  const server = await startDevServer({
    vars: { OPENAI_BASE_URL: `${llm.url}/v1`, LLM_MODEL: "bench-model", LLM_FREE_MODELS: "bench-model" },
  });
  try {
    const { markdown, rows } = await benchLargeSnapshot(server.url, server.sandbox, server.processGroup, sizes);
    console.log(markdown);
    console.log(JSON.stringify(rows));
  } finally {
    await server.stop();
    await llm.close();
  }
}
