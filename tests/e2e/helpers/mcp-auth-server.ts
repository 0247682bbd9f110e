// An in-memory OAuth authorization server for the SDK's router: approves at once, short-lived tokens, revocable.

import { randomUUID } from "node:crypto";
import type { OAuthRegisteredClientsStore } from "@modelcontextprotocol/sdk/server/auth/clients.js";
import { InvalidGrantError, InvalidTokenError } from "@modelcontextprotocol/sdk/server/auth/errors.js";
import type { AuthorizationParams, OAuthServerProvider } from "@modelcontextprotocol/sdk/server/auth/provider.js";
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import type { OAuthClientInformationFull, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import type { Response } from "express";

/** Access tokens live this long: under the client's refresh margin, so every new connection refreshes first. */
export const ACCESS_TOKEN_SECONDS = 5;

interface Grant {
  clientId: string;
  resource: string | undefined;
}

export class TestAuthServer implements OAuthServerProvider {
  readonly #clients = new Map<string, OAuthClientInformationFull>();
  readonly #codes = new Map<string, { grant: Grant; challenge: string; redirectUri: string }>();
  readonly #access = new Map<string, Grant>();
  readonly #refresh = new Map<string, Grant>();
  readonly resource: URL;
  /** Every authorization request's parameters, as the router parsed them. */
  readonly authorizations: AuthorizationParams[] = [];
  /** Every access and refresh token issued (tests look for them where they must not be). */
  readonly issued: string[] = [];
  refreshes = 0;

  constructor(resource: URL) {
    this.resource = resource;
  }

  get clientsStore(): OAuthRegisteredClientsStore {
    return {
      getClient: (id) => this.#clients.get(id),
      registerClient: (client) => {
        const full = { ...client, client_id: randomUUID(), client_id_issued_at: Math.floor(Date.now() / 1000) };
        this.#clients.set(full.client_id, full);
        return full;
      },
    };
  }

  async authorize(client: OAuthClientInformationFull, params: AuthorizationParams, res: Response): Promise<void> {
    this.authorizations.push(params);
    const code = randomUUID();
    const grant = { clientId: client.client_id, resource: params.resource?.toString() };
    this.#codes.set(code, { grant, challenge: params.codeChallenge, redirectUri: params.redirectUri });
    const target = new URL(params.redirectUri);
    target.searchParams.set("code", code);
    if (params.state) target.searchParams.set("state", params.state);
    res.redirect(302, target.toString());
  }

  async challengeForAuthorizationCode(_client: OAuthClientInformationFull, code: string): Promise<string> {
    const entry = this.#codes.get(code);
    if (!entry) throw new InvalidGrantError("unknown code");
    return entry.challenge;
  }

  async exchangeAuthorizationCode(
    client: OAuthClientInformationFull,
    code: string,
    _verifier?: string,
    redirectUri?: string,
    resource?: URL,
  ): Promise<OAuthTokens> {
    const entry = this.#codes.get(code);
    this.#codes.delete(code);
    if (!entry || entry.grant.clientId !== client.client_id) throw new InvalidGrantError("unknown code");
    if (redirectUri !== entry.redirectUri) throw new InvalidGrantError("redirect_uri differs");
    if (resource?.toString() !== this.resource.toString()) throw new InvalidGrantError("wrong resource");
    return this.#issue(entry.grant);
  }

  async exchangeRefreshToken(client: OAuthClientInformationFull, refreshToken: string): Promise<OAuthTokens> {
    const grant = this.#refresh.get(refreshToken);
    if (!grant || grant.clientId !== client.client_id) throw new InvalidGrantError("refresh token revoked");
    this.#refresh.delete(refreshToken);
    this.refreshes++;
    return this.#issue(grant);
  }

  async verifyAccessToken(token: string): Promise<AuthInfo> {
    const grant = this.#access.get(token);
    if (!grant) throw new InvalidTokenError("unknown or revoked token");
    return {
      token,
      clientId: grant.clientId,
      scopes: ["mcp"],
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
      ...(grant.resource ? { resource: new URL(grant.resource) } : {}),
    };
  }

  /** Revokes every grant: access and refresh tokens stop working. */
  revokeAll(): void {
    this.#access.clear();
    this.#refresh.clear();
  }

  #issue(grant: Grant): OAuthTokens {
    const access = randomUUID();
    const refresh = randomUUID();
    this.#access.set(access, grant);
    this.#refresh.set(refresh, grant);
    this.issued.push(access, refresh);
    return {
      access_token: access,
      refresh_token: refresh,
      token_type: "Bearer",
      expires_in: ACCESS_TOKEN_SECONDS,
      scope: "mcp",
    };
  }
}
