// What the configuration tests share: the least a production configuration needs, and a thrown message as text.

/** Access settings every production configuration has. */
export const base = { ACCESS_TEAM_DOMAIN: "https://acme.cloudflareaccess.com", ACCESS_AUD: "aud" };

/** The message `fn` throws, or "no error". */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
    return "no error";
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
