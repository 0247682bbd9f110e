// The most output tokens each known model takes in one request, from the providers' model pages. Kept apart
// from model-family.ts on purpose: a checker that shared the adapters' table would agree with its mistakes.

import { violation, type WireViolation } from "./violation.ts";

const CEILINGS: [RegExp, number][] = [
  [/claude-opus-4-5/i, 64_000],
  [/claude-opus-4(?:-1)?(?:-\d{8})?$/i, 32_000],
  [/claude-sonnet-4|claude-haiku-4|claude-3-7-sonnet/i, 64_000],
  [/claude-3-5-sonnet|claude-3-5-haiku/i, 8_192],
  [/claude-3-opus|claude-3-sonnet|claude-3-haiku/i, 4_096],
  [/^(?:openai\/)?gpt-5/i, 128_000],
  [/^(?:openai\/)?gpt-4\.1/i, 32_768],
  [/^(?:openai\/)?gpt-4o/i, 16_384],
  [/^(?:openai\/)?o1-mini/i, 65_536],
  [/^(?:openai\/)?(?:o1|o3|o4-mini)/i, 100_000],
];

/** Refuses an output limit over the model's ceiling, as the provider does (400). */
export function checkOutputCeiling(model: string, tokens: unknown, field: string, out: WireViolation[]): void {
  const ceiling = CEILINGS.find(([pattern]) => pattern.test(model.trim()))?.[1];
  if (ceiling === undefined || typeof tokens !== "number" || tokens <= ceiling) return;
  out.push(
    violation(
      "output_ceiling",
      field,
      `${field}: ${tokens} > ${ceiling}, which is the maximum allowed number of output tokens for ${model}`,
    ),
  );
}
