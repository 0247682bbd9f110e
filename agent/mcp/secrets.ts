// What a server keeps secret (headers, OAuth client, tokens, PKCE verifier), and how it is opened and sealed.

import type { OAuthDiscoveryState } from "@modelcontextprotocol/sdk/client/auth.js";
import type { OAuthClientInformationMixed, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import { isRecord } from "../../protocol/json";
import { openJson, sealJson } from "./crypto";

/** Decrypted secrets of one server. Never stored in events, never sent to a client, the model or the sandbox. */
export interface McpSecrets {
  /** Request headers given by the user (e.g. an API key). */
  headers: Record<string, string>;
  /** The OAuth redirect URI registered for this server. */
  redirectUrl?: string;
  /** The OAuth client registered with the authorization server (dynamic registration). */
  client?: OAuthClientInformationMixed;
  tokens?: OAuthTokens;
  /** When the access token expires (ms since epoch), from `expires_in`. */
  tokensExpireAt?: number;
  /** The PKCE verifier of the authorisation in progress. */
  codeVerifier?: string;
  discovery?: OAuthDiscoveryState;
}

function context(user: string, serverId: string): string {
  return `mcp\u0000${user}\u0000${serverId}`;
}

export function sealSecrets(key: string, user: string, serverId: string, secrets: McpSecrets): Promise<string> {
  return sealJson(key, context(user, serverId), secrets);
}

export async function openSecrets(key: string, user: string, serverId: string, sealed: string): Promise<McpSecrets> {
  const value = await openJson(key, context(user, serverId), sealed);
  if (!isRecord(value) || !isRecord(value.headers)) throw new Error("malformed MCP secrets");
  const headers: Record<string, string> = {};
  for (const [name, v] of Object.entries(value.headers)) if (typeof v === "string") headers[name] = v;
  // The rest was written by sealSecrets from SDK-validated values.
  return { ...(value as Partial<McpSecrets>), headers };
}
