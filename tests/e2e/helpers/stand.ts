// One stand per e2e file: the stand-in LLM and a `wrangler dev` wired to it, up before the file's tests, down after.

import { afterAll, beforeAll } from "vitest";
import { type FakeLlm, startFakeLlm } from "../../../devtools/demo-model/server.ts";
import { type DevServer, startDevServer } from "./dev-server.ts";

export interface E2eStand {
  /** The stand-in LLM (script its answers, read what it was asked). */
  readonly llm: FakeLlm;
  /** The Worker under `wrangler dev`, with its sandbox host. */
  readonly server: DevServer;
}

/**
 * Registers the file's `beforeAll`/`afterAll` and returns the stand; `vars` gets the stand-in's URL and
 * returns the server's variables (the provider pointed at the stand-in, its models free, any others).
 */
export function useE2eStand(vars: (llmUrl: string) => Record<string, string>): E2eStand {
  let llm: FakeLlm | undefined;
  let server: DevServer | undefined;
  beforeAll(async () => {
    llm = await startFakeLlm();
    server = await startDevServer({ vars: vars(llm.url) });
  });
  afterAll(async () => {
    await server?.stop();
    await llm?.close();
  });
  const started = <T>(part: T | undefined, name: string): T => {
    if (part === undefined) throw new Error(`the e2e stand's ${name} is not up (used outside a test?)`);
    return part;
  };
  return {
    get llm() {
      return started(llm, "LLM");
    },
    get server() {
      return started(server, "server");
    },
  };
}
