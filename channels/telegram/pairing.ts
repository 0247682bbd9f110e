// Pairing codes and the webhook secret check: random single-use codes, constant-time comparison.

/** A pairing code lives this long. */
export const PAIRING_CODE_TTL_MS = 10 * 60_000;
/** Failed `/pair` attempts a Telegram user may make per window before being refused for the window. */
export const PAIRING_ATTEMPTS_PER_WINDOW = 5;
export const PAIRING_WINDOW_MS = 10 * 60_000;

/** Letters and digits without look-alikes (no 0/O, 1/I/L). */
const ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const CODE_LENGTH = 8;

/** A fresh code: 8 characters of a 31-letter alphabet (about 40 bits, with attempts rate-limited). */
export function newPairingCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(CODE_LENGTH * 2));
  let code = "";
  for (let i = 0; code.length < CODE_LENGTH && i < bytes.length; i++) {
    const byte = bytes[i] ?? 0;
    // Rejection sampling keeps every letter equally likely.
    if (byte < 248) code += ALPHABET[byte % ALPHABET.length];
  }
  return code.length === CODE_LENGTH ? code : newPairingCode();
}

/** Whether `text` has the shape of a code (checked before any lookup). */
export function isPairingCode(text: string): boolean {
  return new RegExp(`^[${ALPHABET}]{${CODE_LENGTH}}$`).test(text);
}

/** Compares two secrets in time independent of where they differ (both are hashed to the same length first). */
export async function secretsEqual(given: string, expected: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(given)),
    crypto.subtle.digest("SHA-256", encoder.encode(expected)),
  ]);
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}
