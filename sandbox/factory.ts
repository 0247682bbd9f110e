// Chooses the sandbox backend by SANDBOX_MODE: the one place a backend is picked.

import { getSandbox, streamFile } from "@cloudflare/sandbox";
import type { SandboxSlice } from "../config/sandbox";
import { AppError } from "../protocol/errors";
import { LocalSandboxClient } from "./client";
import { CloudflareSandbox, type SdkSandbox } from "./cloudflare";
import type { SandboxBackend } from "./types";

export function createSandbox(env: Env, config: SandboxSlice): SandboxBackend {
  if (config.sandboxMode === "local") {
    if (!config.sandbox.secret) {
      throw new AppError("config_error", "configuration error: SANDBOX_SECRET is required with SANDBOX_MODE=local");
    }
    return new LocalSandboxClient(config.sandbox.url, config.sandbox.secret);
  }
  // Ids are lower-cased by the SDK (normalizeId) and keep one transport per sandbox.
  const sdkFor = (sessionId: string): SdkSandbox => {
    const stub = getSandbox(env.SANDBOX, sessionId, { normalizeId: true });
    return {
      exec: (command, options) => stub.exec(command, options),
      writeFile: (path, content, options) => stub.writeFile(path, content, options),
      readFileStream: async (path) => bytesOf(await stub.readFileStream(path)),
      destroy: () => stub.destroy(),
    };
  };
  // Commands share the container's network only when the operator allowed some hosts (the platform then
  // limits egress to them); otherwise each command has a network namespace of its own.
  return new CloudflareSandbox(sdkFor, { network: config.sandbox.allowedHosts.length > 0 });
}

/** The SDK's file stream (SSE, base64 for binary) as plain bytes, chunk by chunk. */
function bytesOf(stream: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const chunks = streamFile(stream);
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(typeof next.value === "string" ? encoder.encode(next.value) : next.value);
    },
    cancel: async () => void (await chunks.return(undefined as never)),
  });
}
