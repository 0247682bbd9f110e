// `npm run soak`: 200 sockets over 50 sessions for a bounded time on loopback, sending and reconnecting at
// random; every client checks its seq has no gap or duplicate and the stored transcripts match what was sent.

import { startFakeLlm } from "../devtools/demo-model/server.ts";
import { call, Device, login, newSession } from "../tests/e2e/helpers/client.ts";
import { startDevServer } from "../tests/e2e/helpers/dev-server.ts";
import { fmt, percentile } from "./stats.ts";

const SESSIONS = Number(process.env.SOAK_SESSIONS ?? 50);
const DEVICES = Number(process.env.SOAK_DEVICES ?? 4);
const DURATION_MS = Number(process.env.SOAK_SECONDS ?? 300) * 1000;

interface Client {
  session: string;
  token: string;
  device: Device;
  lastSeq: number;
  problems: string[];
  /** True once the replay after hello is done. */
  live: boolean;
}

const llm = await startFakeLlm();
const server = await startDevServer({
  vars: {
    OPENAI_BASE_URL: `${llm.url}/v1`,
    LLM_MODEL: "soak-model",
    LLM_FREE_MODELS: "soak-model",
    RATE_LIMIT_REQUESTS_PER_MIN: "100000",
  },
});
const sent = new Map<string, string[]>();
const latencies: number[] = [];
const sentAt = new Map<string, number>();
let delivered = 0;
let errors = 0;
let reconnects = 0;

function watch(client: Client): void {
  client.device.ws.on("message", (data) => {
    const frame = JSON.parse(String(data));
    if (frame.type === "ready") client.live = true;
    if (frame.type === "error" && typeof frame.seq !== "number")
      client.problems.push(`error frame ${frame.code}: ${frame.message}`);
    if (typeof frame.seq !== "number" || typeof frame.at !== "number") return;
    if (frame.seq <= client.lastSeq) client.problems.push(`duplicate seq ${frame.seq}`);
    else if (frame.seq !== client.lastSeq + 1 && client.lastSeq !== 0)
      client.problems.push(`gap ${client.lastSeq} → ${frame.seq}`);
    client.lastSeq = Math.max(client.lastSeq, frame.seq);
    delivered++;
    // Delivery latency of live events only (a replay after a reconnect is not a delivery delay).
    if (frame.type === "user_message" && client.live) {
      const at = sentAt.get(`${frame.id}`);
      if (at !== undefined) latencies.push(performance.now() - at);
    }
  });
}

/** Opens a new socket for the client and resumes from the last seq it saw. */
async function reconnect(client: Client): Promise<void> {
  client.live = false;
  client.device = await Device.open(server.url, client.session, client.token);
  watch(client);
  client.device.send({ type: "hello", lastSeq: client.lastSeq });
}

try {
  const clients: Client[] = [];
  for (let s = 0; s < SESSIONS; s++) {
    const token = await login(server.url, `soak-${s}@example.com`);
    const session = await newSession(server.url, token);
    sent.set(session, []);
    for (let d = 0; d < DEVICES; d++) {
      const device = await Device.open(server.url, session, token);
      const client: Client = { session, token, device, lastSeq: 0, problems: [], live: false };
      watch(client);
      device.send({ type: "hello" });
      clients.push(client);
    }
  }
  const started = performance.now();
  let n = 0;
  while (performance.now() - started < DURATION_MS) {
    const client = clients[Math.floor(Math.random() * clients.length)];
    if (!client) continue;
    if (Math.random() < 0.05) {
      reconnects++;
      await client.device.close();
      await reconnect(client);
    } else if (client.device.closed === null) {
      const id = `m${n++}`;
      sentAt.set(id, performance.now());
      sent.get(client.session)?.push(id);
      client.device.send({ type: "user_message", id, text: `soak ${id}` });
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const elapsed = (performance.now() - started) / 1000;
  // Every stored transcript holds exactly what was sent to it.
  let lost = 0;
  for (const [session, ids] of sent) {
    const token = clients.find((c) => c.session === session)?.token ?? "";
    const stored: string[] = [];
    let after = 0;
    for (;;) {
      const page = (await (
        await call(server.url, `/api/sessions/${session}/messages?after=${after}&limit=200`, token)
      ).json()) as {
        messages: { type: string; id?: string; seq: number }[];
        nextCursor: number | null;
      };
      stored.push(...page.messages.filter((m) => m.type === "user_message").map((m) => String(m.id)));
      if (page.nextCursor === null) break;
      after = page.nextCursor;
    }
    const missing = ids.filter((id) => !stored.includes(id));
    if (missing.length > 0) console.log(`session ${session}: missing ${missing.join(", ")}`);
    lost += missing.length + (stored.length - new Set(stored).size);
  }
  const problems = clients.flatMap((c) => c.problems);
  errors = problems.length;
  for (const c of clients) await c.device.close();
  const report = [
    `sockets ${clients.length} over ${SESSIONS} sessions, ${fmt(elapsed, 0)} s, ${n} messages sent, ${reconnects} reconnects`,
    `events delivered ${delivered} (${fmt(delivered / elapsed, 0)}/s), delivery latency p50 ${fmt(percentile(latencies, 50))} ms, p99 ${fmt(percentile(latencies, 99))} ms`,
    `seq problems ${errors}${problems.length ? ` (${problems.slice(0, 5).join("; ")})` : ""}, messages lost or doubled ${lost}`,
  ].join("\n");
  console.log(report);
  if (errors > 0 || lost > 0) process.exitCode = 1;
} finally {
  await server.stop();
  await llm.close();
}
