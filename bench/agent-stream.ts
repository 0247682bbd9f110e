// Benchmark: the agent's streaming path, from the stand-in provider's first byte to a device on loopback.

import type { FakeLlm } from "../devtools/demo-model/server.ts";
import { Device, login, newSession } from "../tests/e2e/helpers/client.ts";
import { fmt, median, percentile, table } from "./stats.ts";

export interface StreamResult {
  markdown: string;
  figures: Record<string, number>;
}

async function turn(
  base: string,
  llm: FakeLlm,
  device: Device,
  text: string,
): Promise<{ firstDeltaAt: number; doneAt: number }> {
  const before = device.frames.length;
  let firstDeltaAt = 0;
  let doneAt = 0;
  const onMessage = (data: unknown) => {
    const frame = JSON.parse(String(data));
    if (frame.type === "assistant_delta" && firstDeltaAt === 0) firstDeltaAt = performance.now();
    if (frame.type === "assistant_message") doneAt = performance.now();
  };
  device.ws.on("message", onMessage);
  device.send({ type: "user_message", id: crypto.randomUUID(), text });
  await device.until(() => device.frames.slice(before).some((f) => f.type === "turn_end"), 60_000);
  device.ws.off("message", onMessage);
  void base;
  void llm;
  return { firstDeltaAt, doneAt };
}

/** Runs `rounds` short answers (first-delta latency) and one long answer of `tokens` pieces (per-token cost). */
export async function benchAgentStream(base: string, llm: FakeLlm, rounds = 40, tokens = 2000): Promise<StreamResult> {
  const token = await login(base, "bench-stream@example.com");
  const id = await newSession(base, token);
  const device = await Device.open(base, id, token);
  await device.hello();

  const firstDelta: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const tag = `latency-${i}-${crypto.randomUUID()}`;
    llm.script({ match: tag, steps: [{ kind: "text", chunks: ["Hi", " there"] }] });
    const { firstDeltaAt } = await turn(base, llm, device, tag);
    const request = llm.requests.at(-1);
    if (request?.timing.firstByteAt !== undefined && firstDeltaAt > 0)
      firstDelta.push(firstDeltaAt - request.timing.firstByteAt);
  }

  const tag = `throughput-${crypto.randomUUID()}`;
  llm.script({ match: tag, steps: [{ kind: "text", chunks: Array.from({ length: tokens }, (_, i) => `t${i} `) }] });
  const deltasBefore = device.frames.filter((f) => f.type === "assistant_delta").length;
  const { doneAt } = await turn(base, llm, device, tag);
  const deltas = device.frames.filter((f) => f.type === "assistant_delta").length - deltasBefore;
  const timing = llm.requests.at(-1)?.timing ?? {};
  const providerMs = (timing.lastByteAt ?? 0) - (timing.firstByteAt ?? 0);
  const endToEndMs = doneAt - (timing.firstByteAt ?? 0);
  const perTokenUs = ((endToEndMs - providerMs) / tokens) * 1000;
  await device.close();

  const figures = {
    firstDeltaMedianMs: median(firstDelta),
    firstDeltaP99Ms: percentile(firstDelta, 99),
    perTokenOverheadUs: perTokenUs,
    tokens,
    deltaEvents: deltas,
    providerStreamMs: providerMs,
    endToEndMs,
  };
  const markdown = table(
    ["measure", "value"],
    [
      ["provider first byte → first assistant_delta on a device, median", `${fmt(figures.firstDeltaMedianMs)} ms`],
      ["same, p99", `${fmt(figures.firstDeltaP99Ms)} ms`],
      [`per-token overhead (${tokens} pieces streamed at full speed)`, `${fmt(perTokenUs, 1)} µs`],
      ["assistant_delta events for those pieces (coalesced)", String(deltas)],
      [
        "provider stream duration / first byte → whole message on the device",
        `${fmt(providerMs)} ms / ${fmt(endToEndMs)} ms`,
      ],
    ],
  );
  return { markdown, figures };
}
