// Which push endpoints the service will send to: https on a public host; loopback http only in local dev.

/** Why an endpoint is refused, or null when it may be used. */
export function endpointProblem(endpoint: string, allowLoopbackHttp: boolean): string | null {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return "the endpoint is not a URL";
  }
  if (url.username || url.password) return "the endpoint must not carry credentials";
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  const loopback = host === "localhost" || /^127\./.test(host) || host === "::1";
  if (url.protocol === "http:" && loopback && allowLoopbackHttp) return null;
  if (url.protocol !== "https:") return "the endpoint must be https";
  if (loopback || isPrivateLiteral(host)) return "the endpoint must be a public host";
  return null;
}

/** IP literals that never name a push service: private, link-local, unspecified, CGNAT, ULA, mapped. */
function isPrivateLiteral(host: string): boolean {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(host);
  if (v4) {
    const a = Number(v4[1]);
    const b = Number(v4[2]);
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      a >= 224
    );
  }
  if (!host.includes(":")) return host.endsWith(".localhost") || host.endsWith(".internal") || !host.includes(".");
  return host === "::" || /^f[cd]/.test(host) || /^fe[89ab]/.test(host) || host.startsWith("::ffff:");
}
