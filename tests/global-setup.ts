// Starts the stand-in LLM for the workerd tests; its URL reaches the worker as OPENAI_BASE_URL.

import type { TestProject } from "vitest/node";
import { startFakeLlm } from "./fake-llm/server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    fakeLlmUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fake = await startFakeLlm();
  project.provide("fakeLlmUrl", fake.url);
  return () => fake.close();
}
