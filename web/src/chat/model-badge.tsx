// Which provider and model a session uses, and for the built-in demo model a banner saying how to connect a real one.

import type { ModelInfo } from "../../../protocol/frames";

/** "openai · gpt-4o-mini" in the chat header. */
export function ModelBadge({ model }: { model: ModelInfo | null }) {
  if (model === null) return null;
  return (
    <span class="model-badge" data-testid="model-badge" title="The provider and model this session uses">
      {model.demo ? "demo model" : `${model.provider} · ${model.model}`}
    </span>
  );
}

/** Shown while the session talks to the demo model: its replies are scripted. */
export function DemoBanner({ model }: { model: ModelInfo | null }) {
  if (!model?.demo) return null;
  return (
    <aside class="notice warning demo-banner" role="note" data-testid="demo-banner">
      <strong>Demo model: replies are scripted.</strong> It shows streaming, the shell tool with approval and artifacts,
      but understands nothing. To connect a real model, put <code>OPENAI_API_KEY=…</code> (or{" "}
      <code>LLM_PROVIDER=anthropic</code> and <code>ANTHROPIC_API_KEY=…</code>) in <code>.dev.vars</code> — see{" "}
      <code>.dev.vars.example</code> — or start Ollama, then restart <code>npm run dev</code>. More in the repository:
      README.md and <code>docs/operations.md</code>, “Connect a model”.
    </aside>
  );
}
