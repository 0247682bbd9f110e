// Connects to one MCP server with the official SDK client: Streamable HTTP, else HTTP+SSE; OAuth and headers applied.

import { auth, UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport, SseError } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/cfworker";
import type { McpAccount, McpServer } from "./account";
import { StoredOAuthProvider } from "./oauth-provider";
import { guardedFetch, OutboundUrlRefused } from "./url-guard";

/** How long connecting (initialize) may take. */
export const CONNECT_TIMEOUT_MS = 15_000;
/** An access token this close to expiry is refreshed before use. */
const REFRESH_MARGIN_MS = 30_000;

export interface ConnectOptions {
  /** Loopback servers are allowed (local development only). */
  allowLoopback: boolean;
  /** The OAuth redirect URI to register when an authorisation starts here (routes); absent in a turn. */
  redirectUrl?: string;
  fetch?: typeof fetch;
}

/** The server wants the user to authorise it in a browser. */
export class NeedsAuthorization extends Error {
  override readonly name = "NeedsAuthorization";
  readonly authorizeUrl: string | null;

  constructor(authorizeUrl: URL | null) {
    super(
      authorizeUrl ? "the server needs authorisation" : "the authorisation expired or was revoked; authorise again",
    );
    this.authorizeUrl = authorizeUrl?.toString() ?? null;
  }
}

export interface Connection {
  client: Client;
  close(): Promise<void>;
}

function newClient(): Client {
  return new Client(
    { name: "edgeclaw", version: "0.1.0" },
    { capabilities: {}, jsonSchemaValidator: new CfWorkerJsonSchemaValidator() },
  );
}

/** Whether a failed Streamable HTTP attempt means "this server only speaks HTTP+SSE". */
function tryLegacy(error: unknown): boolean {
  if (error instanceof StreamableHTTPError) return error.code === 400 || error.code === 404 || error.code === 405;
  return false;
}

async function refreshIfExpiring(server: McpServer, provider: StoredOAuthProvider, fetchFn: typeof fetch) {
  const { tokens, tokensExpireAt } = server.secrets;
  if (!tokens?.refresh_token || tokensExpireAt === undefined || tokensExpireAt > Date.now() + REFRESH_MARGIN_MS) return;
  const result = await auth(provider, { serverUrl: server.url, fetchFn });
  if (result !== "AUTHORIZED") throw new NeedsAuthorization(provider.authorizeUrl);
}

/** Opens a connection (initialize done); throws NeedsAuthorization, OutboundUrlRefused or the transport's error. */
export async function connect(account: McpAccount, server: McpServer, options: ConnectOptions): Promise<Connection> {
  const fetchFn = guardedFetch({ allowLoopback: options.allowLoopback }, options.fetch);
  const provider = new StoredOAuthProvider(account, server, options.redirectUrl);
  await refreshIfExpiring(server, provider, fetchFn);
  const url = new URL(server.url);
  const requestInit: RequestInit = { headers: server.secrets.headers };
  const attempt = async (transport: Transport): Promise<Connection> => {
    const client = newClient();
    try {
      await client.connect(transport, { timeout: CONNECT_TIMEOUT_MS });
    } catch (error) {
      await client.close().catch(() => undefined);
      if (error instanceof UnauthorizedError || provider.authorizeUrl)
        throw new NeedsAuthorization(provider.authorizeUrl);
      throw error;
    }
    return { client, close: () => client.close() };
  };
  const streamable = () =>
    attempt(new StreamableHTTPClientTransport(url, { authProvider: provider, requestInit, fetch: fetchFn }));
  const sse = () =>
    attempt(
      new SSEClientTransport(url, {
        authProvider: provider,
        requestInit,
        fetch: fetchFn,
        eventSourceInit: {
          fetch: (input, init) => fetchFn(input, { ...init, headers: { ...init?.headers, ...server.secrets.headers } }),
        },
      }),
    );
  if (server.transport === "sse") return sse();
  if (server.transport === "streamable-http") return streamable();
  try {
    return await streamable();
  } catch (error) {
    if (!tryLegacy(error)) throw error;
    return sse();
  }
}

/** Whether a failure means the user must authorise the server (again): a revoked or expired grant. */
export function needsAuthorization(error: unknown): boolean {
  return error instanceof NeedsAuthorization || error instanceof UnauthorizedError || refusedToken(error);
}

/** A 401 the transport did not recover from itself (it tries once per connection). */
export function refusedToken(error: unknown): boolean {
  return (error instanceof StreamableHTTPError || error instanceof SseError) && error.code === 401;
}

/** After a refused token: refresh (or learn the grant is gone). True when new tokens are stored. */
export async function reauthorize(account: McpAccount, server: McpServer, options: ConnectOptions): Promise<boolean> {
  if (!server.secrets.tokens) return false;
  const provider = new StoredOAuthProvider(account, server);
  const fetchFn = guardedFetch({ allowLoopback: options.allowLoopback }, options.fetch);
  try {
    return (await auth(provider, { serverUrl: server.url, fetchFn })) === "AUTHORIZED";
  } catch {
    return false;
  }
}

/** A short, safe description of a connection or call failure. */
export function failureText(error: unknown): string {
  if (error instanceof NeedsAuthorization || error instanceof OutboundUrlRefused) return error.message;
  if (error instanceof UnauthorizedError) return new NeedsAuthorization(null).message;
  if (error instanceof Error) return error.message.slice(0, 300) || error.name;
  return "unknown error";
}
