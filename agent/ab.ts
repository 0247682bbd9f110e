// A/B assignment: a session's variant is a stable, weighted hash of the experiment and the session id.

import type { Experiment, Variant } from "../config/metering";

/** A number in [0, 1) from the first 4 bytes of SHA-256(text). */
export async function unitHash(text: string): Promise<number> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  const word = ((digest[0] ?? 0) << 24) | ((digest[1] ?? 0) << 16) | ((digest[2] ?? 0) << 8) | (digest[3] ?? 0);
  return (word >>> 0) / 2 ** 32;
}

/** The variant for a session: the same session always gets the same one; shares follow the weights. */
export async function assignVariant(experiment: Experiment, sessionId: string): Promise<Variant> {
  const total = experiment.variants.reduce((sum, v) => sum + v.weight, 0);
  let point = (await unitHash(`${experiment.name}:${sessionId}`)) * total;
  for (const variant of experiment.variants) {
    if (point < variant.weight) return variant;
    point -= variant.weight;
  }
  const last = experiment.variants.at(-1);
  if (!last) throw new Error("an experiment needs variants");
  return last;
}
