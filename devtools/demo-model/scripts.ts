// What the stand-in LLM does for a request: scripted steps matched by the last user message, else a fallback (echo or demo).

export interface Usage {
  input?: number;
  output?: number;
  cached?: number;
  cacheWrite?: number;
  reasoning?: number;
}

/** One answer of the stand-in provider. */
export type Step =
  | { kind: "text"; chunks: string[]; delayMs?: number; usage?: Usage }
  | { kind: "tools"; calls: { id: string; name: string; args: string }[]; pieces?: number; usage?: Usage }
  | { kind: "error"; status: number; retryAfter?: number; body?: string }
  | { kind: "cut"; chunks: string[] }
  | { kind: "malformed"; chunks: string[] }
  | { kind: "stall"; chunks: string[]; stallMs: number };

export interface Script {
  /** Requests whose last user message contains this text take this script's steps, in order. */
  match: string;
  steps: Step[];
}

export interface RecordedRequest {
  path: string;
  headers: Record<string, string>;
  body: unknown;
  /** performance.now() when the first and last stream frames were written (benchmarks read these). */
  timing: { firstByteAt?: number; lastByteAt?: number };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The text of the last user message of an OpenAI or Anthropic request body. */
export function lastUserText(body: unknown): string {
  const messages = isRecord(body) && Array.isArray(body.messages) ? body.messages : [];
  for (const message of [...messages].reverse()) {
    if (!isRecord(message) || message.role !== "user") continue;
    if (typeof message.content === "string") return message.content;
    if (Array.isArray(message.content)) {
      const texts = message.content
        .filter(isRecord)
        .map((b) => (typeof b.text === "string" ? b.text : typeof b.content === "string" ? b.content : ""));
      return texts.join("\n");
    }
  }
  return "";
}

/** The answer to a request no script matches. */
export type Fallback = (body: unknown) => Step;

const echo: Fallback = (body) => ({ kind: "text", chunks: ["You said: ", lastUserText(body).slice(0, 200)] });

export class ScriptBook {
  readonly #scripts: Script[] = [];
  readonly #fallback: Fallback;

  constructor(fallback: Fallback = echo) {
    this.#fallback = fallback;
  }

  add(script: Script): void {
    this.#scripts.push({ match: script.match, steps: [...script.steps] });
  }

  clear(): void {
    this.#scripts.length = 0;
  }

  /** The next step for this request: the first script with steps left whose text matches, else the fallback (an echo by default). */
  next(body: unknown): Step {
    const text = lastUserText(body);
    for (const script of this.#scripts) {
      if (script.steps.length > 0 && text.includes(script.match)) {
        const step = script.steps.shift();
        if (step) return step;
      }
    }
    return this.#fallback(body);
  }
}
