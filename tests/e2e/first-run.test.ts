// The first run of a new user: `npm run dev` from a fresh copy answers with no set-up (the demo model), and uses a
// running local Ollama when there is one.

import { afterAll, describe, expect, it } from "vitest";
import type { ModelInfo, ServerFrame } from "../../protocol/frames.ts";
import { call, Device, login, newSession } from "./helpers/client.ts";
import { type FakeOllama, OLLAMA_REPLY, startFakeOllama } from "./helpers/fake-ollama.ts";
import { type NpmDev, startNpmDev } from "./helpers/npm-dev.ts";

const FIRST_RUN_MS = 300_000;

function readyModel(device: Device): ModelInfo | undefined {
  const ready = device.frames.find((f): f is Extract<ServerFrame, { type: "ready" }> => f.type === "ready");
  return ready?.model;
}

function answer(device: Device): string {
  return device
    .events()
    .filter((e) => e.type === "assistant_delta")
    .map((e) => e.text)
    .join("");
}

/** Sends a message and waits for the turn it starts to end. */
async function say(device: Device, id: string, text: string): Promise<void> {
  const ends = device.events().filter((e) => e.type === "turn_end").length;
  device.send({ type: "user_message", id, text });
  await device.until(() => device.events().filter((e) => e.type === "turn_end").length > ends, 60_000);
}

describe("first run", () => {
  let dev: NpmDev | undefined;
  let ollama: FakeOllama | undefined;
  afterAll(async () => {
    await dev?.stop();
    await ollama?.close();
  });

  it(
    "answers from the built-in demo model with no provider configured, and shows the approval flow",
    async () => {
      dev = await startNpmDev({ probeLocal: false });
      expect(dev.output()).toContain("the model is the built-in demo model");
      const token = await login(dev.url, "first-run@example.com");
      const sessionId = await newSession(dev.url, token);
      const device = await Device.open(dev.url, sessionId, token);
      await device.hello();
      expect(readyModel(device)).toEqual({ provider: "openai", model: "edgeclaw-demo", demo: true });

      await say(device, "m1", "Hello");
      expect(answer(device)).toContain("built-in demo model");
      expect(device.events().filter((e) => e.type === "assistant_delta").length).toBeGreaterThan(1);
      expect(device.events().find((e) => e.type === "error")).toBeUndefined();

      device.send({ type: "user_message", id: "m2", text: "run `echo first-run-ok`" });
      await device.until(() => device.events().some((e) => e.type === "approval_request"), 60_000);
      const request = device.events().find((e) => e.type === "approval_request");
      if (request?.type !== "approval_request") throw new Error("no approval request");
      device.send({ type: "tool_decision", toolCallId: request.toolCallId, approve: true });
      await device.until(() => device.events().filter((e) => e.type === "turn_end").length === 2, 60_000);
      const result = device.events().find((e) => e.type === "tool_result");
      expect(result?.type === "tool_result" && result.output).toContain("first-run-ok");
      expect(answer(device)).toContain("first-run-ok");

      await say(device, "m3", "save a note for me");
      const saved = device
        .events()
        .filter((e) => e.type === "tool_result")
        .map((e) => e.type === "tool_result" && e.ok);
      expect(saved).toEqual([true, true, true]);
      const listing = await call(dev.url, `/api/sessions/${sessionId}/artifacts`, token);
      const { artifacts } = (await listing.json()) as { artifacts: { name: string }[] };
      expect(artifacts.map((a) => a.name)).toEqual(["demo-note.md"]);
      await device.close();
      await dev.stop();
      dev = undefined;
    },
    FIRST_RUN_MS,
  );

  it(
    "uses a running Ollama (a model from its own list) when no provider is configured",
    async () => {
      ollama = await startFakeOllama(11434);
      dev = await startNpmDev({ probeLocal: true });
      expect(dev.output()).toContain("the model is Ollama at http://127.0.0.1:11434/v1 (llama3.2:1b)");
      const token = await login(dev.url, "ollama@example.com");
      const device = await Device.open(dev.url, await newSession(dev.url, token), token);
      await device.hello();
      expect(readyModel(device)).toEqual({ provider: "openai", model: "llama3.2:1b", demo: false });
      await say(device, "o1", "Hello");
      expect(answer(device)).toBe(OLLAMA_REPLY);
      expect(ollama.chats.map((c) => c.model)).toEqual(["llama3.2:1b"]);
      await device.close();
    },
    FIRST_RUN_MS,
  );
});
