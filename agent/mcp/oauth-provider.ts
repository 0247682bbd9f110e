// The SDK's OAuthClientProvider over a stored server: client registration, tokens and PKCE kept encrypted.

import type { OAuthClientProvider, OAuthDiscoveryState } from "@modelcontextprotocol/sdk/client/auth.js";
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from "@modelcontextprotocol/sdk/shared/auth.js";
import type { McpAccount, McpServer } from "./account";
import { sha256Hex } from "./crypto";

/** How long an authorisation may take between its start and the callback. */
export const OAUTH_STATE_TTL_MS = 10 * 60 * 1000;

export class StoredOAuthProvider implements OAuthClientProvider {
  readonly #account: McpAccount;
  readonly #server: McpServer;
  /** Set when the flow needs the user in a browser: the URL to send them to. */
  authorizeUrl: URL | null = null;

  constructor(account: McpAccount, server: McpServer, redirectUrl?: string) {
    this.#account = account;
    this.#server = server;
    if (redirectUrl) server.secrets.redirectUrl = redirectUrl;
  }

  get redirectUrl(): string | undefined {
    return this.#server.secrets.redirectUrl;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: "edgeclaw",
      redirect_uris: this.redirectUrl ? [this.redirectUrl] : [],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    };
  }

  /** A fresh random state, stored only as its hash, bound to this user's directory and expiring. */
  async state(): Promise<string> {
    const state = [...crypto.getRandomValues(new Uint8Array(24))].map((b) => b.toString(16).padStart(2, "0")).join("");
    await this.#account.directory.mcpUpdate(this.#server.id, {
      oauthState: await sha256Hex(state),
      oauthStateExpires: Date.now() + OAUTH_STATE_TTL_MS,
    });
    return state;
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.#server.secrets.client;
  }

  async saveClientInformation(client: OAuthClientInformationMixed): Promise<void> {
    this.#server.secrets.client = client;
    await this.#save();
  }

  tokens(): OAuthTokens | undefined {
    return this.#server.secrets.tokens;
  }

  async saveTokens(tokens: OAuthTokens): Promise<void> {
    this.#server.secrets.tokens = tokens;
    if (tokens.expires_in === undefined) delete this.#server.secrets.tokensExpireAt;
    else this.#server.secrets.tokensExpireAt = Date.now() + tokens.expires_in * 1000;
    delete this.#server.secrets.codeVerifier;
    await this.#save();
  }

  redirectToAuthorization(url: URL): void {
    this.authorizeUrl = url;
  }

  async saveCodeVerifier(verifier: string): Promise<void> {
    this.#server.secrets.codeVerifier = verifier;
    await this.#save();
  }

  codeVerifier(): string {
    const verifier = this.#server.secrets.codeVerifier;
    if (!verifier) throw new Error("no authorisation is in progress for this server");
    return verifier;
  }

  async invalidateCredentials(scope: "all" | "client" | "tokens" | "verifier" | "discovery"): Promise<void> {
    const secrets = this.#server.secrets;
    if (scope === "all" || scope === "client") delete secrets.client;
    if (scope === "all" || scope === "tokens") {
      delete secrets.tokens;
      delete secrets.tokensExpireAt;
    }
    if (scope === "all" || scope === "verifier") delete secrets.codeVerifier;
    if (scope === "all" || scope === "discovery") delete secrets.discovery;
    await this.#save();
  }

  async saveDiscoveryState(state: OAuthDiscoveryState): Promise<void> {
    this.#server.secrets.discovery = state;
    await this.#save();
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.#server.secrets.discovery;
  }

  #save(): Promise<void> {
    return this.#account.saveSecrets(this.#server.id, this.#server.secrets);
  }
}
