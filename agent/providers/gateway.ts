// Cloudflare AI Gateway: provider URLs through the gateway, and the headers that tie its logs to ours.

import type { ChatRequest } from "./types";

export interface GatewayConfig {
  accountId: string;
  gatewayId: string;
  /** Cloudflare token for an authenticated gateway. */
  token?: string;
}

export const GATEWAY_HOST = "https://gateway.ai.cloudflare.com/v1";

/** The gateway's base URL for a provider: `.../openai` (then /chat/completions) or `.../anthropic` (then /v1/messages). */
export function gatewayBaseUrl(gateway: GatewayConfig, provider: "openai" | "anthropic"): string {
  return `${GATEWAY_HOST}/${encodeURIComponent(gateway.accountId)}/${encodeURIComponent(gateway.gatewayId)}/${provider}`;
}

/** The metadata the gateway logs with each call (at most 5 entries, scalar values). */
export function gatewayMetadata(request: ChatRequest): Record<string, string> {
  return request.metadata ? { user: request.metadata.user, session: request.metadata.session } : {};
}

export function gatewayHeaders(gateway: GatewayConfig, request: ChatRequest): Record<string, string> {
  const headers: Record<string, string> = {
    ...(gateway.token ? { "cf-aig-authorization": `Bearer ${gateway.token}` } : {}),
    "cf-aig-metadata": JSON.stringify(gatewayMetadata(request)),
  };
  const ttl = request.gateway?.cacheTtlSeconds;
  if (ttl === 0) headers["cf-aig-skip-cache"] = "true";
  else if (ttl !== undefined) headers["cf-aig-cache-ttl"] = String(ttl);
  const cost = request.gateway?.customCost;
  if (cost)
    headers["cf-aig-custom-cost"] = JSON.stringify({ per_token_in: cost.perTokenIn, per_token_out: cost.perTokenOut });
  return headers;
}

/** Options for `env.AI.run(..., { gateway })`. */
export function gatewayBindingOptions(gateway: GatewayConfig, request: ChatRequest): Record<string, unknown> {
  return { id: gateway.gatewayId, metadata: gatewayMetadata(request) };
}
