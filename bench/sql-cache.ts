// `npm run bench:sql-cache`: what workerd's statement cache costs per Durable Object. A bare object (bench/sql-cache/)
// runs the session object's migrations one `exec` per statement, one per migration file, as one script, or not at
// all, and holds a socket; the resident set's growth per object is read on a new server for each way and round.
// BENCH_ROUNDS: rounds (2). BENCH_OBJECTS: objects per reading (200).

import { setTimeout as sleep } from "node:timers/promises";
import { startDevServer } from "../tests/e2e/helpers/dev-server.ts";
import { workerdRss } from "./rss.ts";
import { median } from "./stats.ts";

const WAYS = ["none", "statement", "file", "script"] as const;
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const objects = Number(process.env.BENCH_OBJECTS ?? 200);
const WARM = 10;
const BATCH = 10;

/** The resident set once it has settled: the median of 7 samples over two seconds. */
async function settledRss(group: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 7; i++) {
    await sleep(300);
    samples.push(workerdRss(group));
  }
  return median(samples);
}

/** Opens object `id` the given way and waits for its socket to echo; the socket stays open. */
async function openObject(url: string, how: string, id: string, sockets: WebSocket[]): Promise<void> {
  const socket = new WebSocket(`${url.replace("http", "ws")}/?how=${how}&id=${id}`);
  sockets.push(socket);
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve);
    socket.addEventListener("error", () => reject(new Error(`object ${id}: the socket did not open`)));
  });
  const echoed = new Promise((resolve) => socket.addEventListener("message", resolve));
  socket.send("ping");
  await echoed;
}

/** KiB of resident set per object opened the given way, on a new server. */
async function perObject(how: string): Promise<number> {
  const server = await startDevServer({ config: "bench/sql-cache/wrangler.toml" });
  const sockets: WebSocket[] = [];
  try {
    for (let i = 0; i < WARM; i++) await openObject(server.url, how, `warm-${i}`, sockets);
    await sleep(2000);
    const before = await settledRss(server.processGroup);
    for (let i = 0; i < objects; i += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, objects - i) }, (_, k) => `object-${i + k}`);
      await Promise.all(batch.map((id) => openObject(server.url, how, id, sockets)));
    }
    await sleep(2000);
    const after = await settledRss(server.processGroup);
    return (after - before) / 1024 / objects;
  } finally {
    for (const socket of sockets) socket.close();
    await server.stop();
  }
}

const results = new Map<string, number[]>(WAYS.map((way) => [way, []]));
for (let round = 0; round < rounds; round++) {
  // The order flips each round.
  for (const how of round % 2 === 0 ? WAYS : [...WAYS].reverse()) {
    const kib = await perObject(how);
    results.get(how)?.push(kib);
    console.error(`round ${round + 1}, ${how}: ${kib.toFixed(1)} KiB per object`);
  }
}
const label: Record<(typeof WAYS)[number], string> = {
  none: "no migrations",
  statement: "one `exec` per statement",
  file: "one `exec` per migration file",
  script: "one `exec` for all (objects/shared/migrate.ts)",
};
console.log(`| the session's migrations | KiB per object (median of ${rounds}) | rounds |`);
console.log("| --- | --- | --- |");
for (const how of WAYS) {
  const values = results.get(how) ?? [];
  const spread = `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`;
  console.log(`| ${label[how]} | ${median(values).toFixed(0)} | ${spread} |`);
}
