// A local stand-in LLM provider on loopback: OpenAI and Anthropic streaming, scriptable over HTTP, records requests.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { checkWire, wireApiOf, wireErrorBody } from "../../agent/providers/wire-check/index.ts";
import { anthropicFrames, type Frame, openAiFrames } from "./protocols.ts";
import { type RecordedRequest, type Script, ScriptBook } from "./scripts.ts";

export type { Script, Step } from "./scripts.ts";

export interface FakeLlm {
  /** Base URL; OpenAI clients use `${url}/v1`, Anthropic clients `${url}`. */
  url: string;
  port: number;
  script(script: Script): void;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const MAX_RECORDED = 500;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function stream(
  res: ServerResponse,
  frames: Frame[],
  delayMs: number,
  ending: "end" | "cut" | "malformed" | "stall",
  timing: RecordedRequest["timing"],
  stallMs = 0,
) {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  for (const frame of frames) {
    if (res.destroyed) return;
    res.write(`${frame.event ? `event: ${frame.event}\n` : ""}data: ${frame.data}\n\n`);
    timing.firstByteAt ??= performance.now();
    if (delayMs > 0) await pause(delayMs);
  }
  timing.lastByteAt = performance.now();
  if (ending === "malformed") res.write("data: {this is not json\n\n");
  if (ending === "stall") await pause(stallMs);
  if (ending === "cut") {
    // Let what was written reach the client, then drop the connection without ending the response.
    await pause(50);
    res.socket?.destroy();
    return;
  }
  res.end();
}

export async function startFakeLlm(port = 0): Promise<FakeLlm> {
  const book = new ScriptBook();
  const requests: RecordedRequest[] = [];
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const raw = await readBody(req);
    if (path === "/__script" && req.method === "POST") {
      book.add(JSON.parse(raw));
      res.writeHead(204).end();
      return;
    }
    if (path === "/__requests") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(requests));
      return;
    }
    const anthropic = path.endsWith("/v1/messages");
    if (!anthropic && !path.endsWith("/chat/completions")) {
      res.writeHead(404).end();
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      res.writeHead(400, { "content-type": "application/json" }).end('{"error":{"message":"invalid JSON"}}');
      return;
    }
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    const record: RecordedRequest = { path, headers, body, timing: {} };
    requests.push(record);
    if (requests.length > MAX_RECORDED) requests.shift();
    // As strict as the real APIs: a body they would refuse gets their 400, whatever the script says.
    const api = wireApiOf(path);
    const violations = api ? checkWire(api, body) : [];
    if (api && violations.length > 0) {
      res.writeHead(400, { "content-type": "application/json" }).end(wireErrorBody(api, violations));
      return;
    }
    const step = book.next(body);
    if (step.kind === "error") {
      res.writeHead(step.status, {
        "content-type": "application/json",
        ...(step.retryAfter !== undefined ? { "retry-after": String(step.retryAfter) } : {}),
      });
      res.end(step.body ?? JSON.stringify({ error: { type: "fake_error", message: `scripted ${step.status}` } }));
      return;
    }
    const model = typeof body === "object" && body !== null && "model" in body ? String(body.model) : "fake";
    const frames = anthropic ? anthropicFrames(step, model) : openAiFrames(step, model);
    const delay = step.kind === "text" ? (step.delayMs ?? 0) : 0;
    const ending =
      step.kind === "cut" ? "cut" : step.kind === "malformed" ? "malformed" : step.kind === "stall" ? "stall" : "end";
    await stream(res, frames, delay, ending, record.timing, step.kind === "stall" ? step.stallMs : 0);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    script: (script) => book.add(script),
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// `node tests/fake-llm/server.ts --port 8790` runs it on its own.
if (import.meta.url === `file://${process.argv[1]}`) {
  const index = process.argv.indexOf("--port");
  const fake = await startFakeLlm(index > 0 ? Number(process.argv[index + 1]) : 8790);
  console.log(`fake LLM on ${fake.url} (OpenAI: ${fake.url}/v1, Anthropic: ${fake.url})`);
}
