// Benchmark: is it miniflare's R2 simulator that holds memory during large snapshots? One workerd (Miniflare) runs a
// worker that streams N MiB exactly as the snapshot path does (8 MiB parts, hashed on the way): once into the
// simulated R2 bucket and once into nothing; then back out, from R2 or from a loopback source, into a loopback
// sink. workerd's resident set is sampled throughout: what grows with N only on the R2 side is the simulator's.
// Alone: `node bench/r2-sim-memory.ts` (BENCH_R2_MB="64,256,1024" picks the sizes).

import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { fmt, table } from "./stats.ts";

const WORKER = `
const PART = 8 * 1024 * 1024;
const KEY = "bench/archive.tgz";
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const toR2 = url.searchParams.get("sink") === "r2";
    if (url.pathname === "/up") {
      const source = await fetch(url.searchParams.get("from"));
      const digest = new crypto.DigestStream("SHA-256");
      const hashing = digest.getWriter();
      const upload = toR2 ? await env.BUCKET.createMultipartUpload(KEY) : null;
      const parts = [];
      let part = new Uint8Array(PART), filled = 0, bytes = 0;
      const flush = async (piece) => { if (upload) parts.push(await upload.uploadPart(parts.length + 1, piece)); };
      for await (const chunk of source.body) {
        bytes += chunk.length;
        await hashing.write(chunk);
        for (let offset = 0; offset < chunk.length; ) {
          const take = Math.min(PART - filled, chunk.length - offset);
          part.set(chunk.subarray(offset, offset + take), filled);
          filled += take;
          offset += take;
          if (filled === PART) { await flush(part); part = new Uint8Array(PART); filled = 0; }
        }
      }
      if (filled > 0) await flush(part.subarray(0, filled));
      if (upload) await upload.complete(parts);
      await hashing.close();
      await digest.digest;
      return new Response(String(bytes));
    }
    const body = toR2 ? (await env.BUCKET.get(KEY)).body : (await fetch(url.searchParams.get("from"))).body;
    const sent = await fetch(url.searchParams.get("to"), { method: "POST", body });
    return new Response(await sent.text());
  },
};`;

/** A loopback source of N MiB (GET /bytes?mib=N) and a sink that counts what it is sent (POST /sink). */
function loopback(): Promise<{ server: Server; url: string }> {
  const block = Buffer.alloc(1024 * 1024, 7);
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/bytes") {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      for (let i = 0; i < Number(url.searchParams.get("mib")); i++)
        if (!res.write(block)) await new Promise((r) => res.once("drain", r));
      res.end();
      return;
    }
    let bytes = 0;
    for await (const chunk of req) bytes += (chunk as Buffer).length;
    res.end(String(bytes));
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve({ server, url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}` });
    }),
  );
}

/** The resident set (MiB) of the workerd this process started. */
function workerdRssMiB(): number {
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      if (/^Name:\s+workerd$/m.test(status) && new RegExp(`^PPid:\\s+${process.pid}$`, "m").test(status))
        return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    } catch {
      // Gone meanwhile.
    }
  }
  return 0;
}

async function peak(work: () => Promise<unknown>): Promise<number> {
  let top = workerdRssMiB();
  const timer = setInterval(() => {
    top = Math.max(top, workerdRssMiB());
  }, 100);
  try {
    await work();
    return Math.max(top, workerdRssMiB());
  } finally {
    clearInterval(timer);
  }
}

export async function benchR2Simulator(sizesMiB: number[]) {
  const { server, url } = await loopback();
  // On disk, as `wrangler dev --persist-to` keeps R2.
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      script: WORKER,
      compatibilityDate: "2025-09-01",
      r2Buckets: ["BUCKET"],
      resourcePersistencePath: mkdtempSync(join(tmpdir(), "edgeclaw-r2-bench-")),
    }),
  );
  const rows: string[][] = [];
  const results: Record<string, number>[] = [];
  const failures: string[] = [];
  try {
    await mf.ready;
    const call = async (path: string) => {
      const response = await mf.dispatchFetch(`http://worker${path}`);
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return Number(await response.text());
    };
    for (const mib of sizesMiB) {
      const from = encodeURIComponent(`${url}/bytes?mib=${mib}`);
      const to = encodeURIComponent(`${url}/sink`);
      const before = workerdRssMiB();
      // A failed stream is a result too (the simulator has dropped R2 reads mid-stream): noted, not retried.
      const attempt = (path: string) =>
        peak(() => call(path)).catch((error: unknown) => {
          failures.push(`${mib} MiB ${path.split("?")[0]} (${path.includes("r2") ? "R2" : "no R2"}): ${String(error)}`);
          return Number.NaN;
        });
      const upNone = await attempt(`/up?sink=none&from=${from}`);
      const downNone = await attempt(`/down?sink=none&from=${from}&to=${to}`);
      const upR2 = await attempt(`/up?sink=r2&from=${from}`);
      const downR2 = await attempt(`/down?sink=r2&to=${to}`);
      const after = workerdRssMiB();
      results.push({ mib, before, upNone, downNone, upR2, downR2, after });
      rows.push([
        `${mib} MiB`,
        `${fmt(before, 0)} MiB`,
        `${fmt(upNone, 0)} / ${fmt(downNone, 0)} MiB`,
        `${fmt(upR2, 0)} / ${fmt(downR2, 0)} MiB`,
        `${fmt(after, 0)} MiB`,
      ]);
    }
  } finally {
    await mf.dispose();
    server.close();
  }
  const markdown = table(
    ["bytes streamed", "workerd RSS before", "peak, no R2 (in / out)", "peak, simulated R2 (in / out)", "after"],
    rows,
  );
  return { markdown, results, failures };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = (process.env.BENCH_R2_MB ?? "64,256,1024").split(",").map(Number);
  const { markdown, results, failures } = await benchR2Simulator(sizes);
  console.log(markdown);
  for (const failure of failures) console.log(`failed: ${failure}`);
  console.log(JSON.stringify(results));
}
