// The sandbox's network setting: off unless SANDBOX_ALLOWED_HOSTS names the hosts commands may reach.

const HOST = /^(?:\*\.)?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/**
 * The hosts SANDBOX_ALLOWED_HOSTS (`value`) lists (comma-separated names, `*.example.com` allowed), or none.
 * A malformed entry is a configuration error naming the variable.
 */
export function sandboxAllowedHosts(value: unknown): readonly string[] {
  const raw = typeof value === "string" ? value.trim() : "";
  if (raw === "") return [];
  return raw.split(",").map((entry) => {
    const host = entry.trim().toLowerCase();
    if (!HOST.test(host))
      throw new Error(`configuration error: SANDBOX_ALLOWED_HOSTS has an invalid host name: ${entry.trim()}`);
    return host;
  });
}
