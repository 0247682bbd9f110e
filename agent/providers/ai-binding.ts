// The optional Workers AI binding (`[ai] binding = "AI"` in wrangler.toml), read from the environment.

/** The Workers AI binding's one method the provider uses. */
export interface AiBinding {
  run(model: string, input: unknown, options?: unknown): Promise<unknown>;
}

/** The `AI` binding when the environment has one. */
export function aiBinding(env: object): AiBinding | undefined {
  const ai: unknown = Reflect.get(env, "AI");
  if (typeof ai !== "object" || ai === null) return undefined;
  const run: unknown = Reflect.get(ai, "run");
  if (typeof run !== "function") return undefined;
  return { run: (model, input, options) => Reflect.apply(run, ai, [model, input, options]) };
}
