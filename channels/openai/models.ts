// GET /v1/models: the agent with its default model, and the models a caller may pick as `edgeclaw/<model>`.

import { AGENT_MODEL, type ModelEntry, type ModelList } from "../../protocol/openai-compat";
import type { Config } from "../../worker/config";

/** Models the operator named (default, fallbacks, free, allowed); `*` lists nothing more (any name is allowed). */
export function modelList(config: Config, created: number): ModelList {
  const allowed = config.metering.allowedModels;
  const names = new Set([
    config.llmModel,
    ...config.agent.fallbackModels,
    ...config.metering.freeModels,
    ...(Array.isArray(allowed) ? allowed : []),
  ]);
  const entry = (id: string): ModelEntry => ({ id, object: "model", created, owned_by: "edgeclaw" });
  return { object: "list", data: [entry(AGENT_MODEL), ...[...names].map((name) => entry(`${AGENT_MODEL}/${name}`))] };
}
