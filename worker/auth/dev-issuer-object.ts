// The local identity issuer for DEV_AUTH=1: one RSA key kept in its storage, a JWKS like Access's, and dev logins.

import { DurableObject } from "cloudflare:workers";
import type { JWK, JWTPayload } from "jose";
import { generateSigningKey, type SigningKey, signToken } from "./jwt";

const KEY_STORAGE_KEY = "signing-key";

/** What the worker may call on the dev issuer. */
export interface DevIssuerRpc {
  /** The public key set, as `/cdn-cgi/access/certs` serves it. */
  jwks(): Promise<{ keys: JWK[] }>;
  /** Signs a token with the issuer's key; the caller sets every claim. */
  sign(claims: JWTPayload): Promise<string>;
}

export class DevIssuerObject extends DurableObject<Env> implements DevIssuerRpc {
  #key: SigningKey | undefined;

  async #signingKey(): Promise<SigningKey> {
    if (this.#key) return this.#key;
    let key = await this.ctx.storage.get<SigningKey>(KEY_STORAGE_KEY);
    if (key === undefined) {
      key = await generateSigningKey();
      await this.ctx.storage.put(KEY_STORAGE_KEY, key);
    }
    this.#key = key;
    return key;
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: [(await this.#signingKey()).publicJwk] };
  }

  async sign(claims: JWTPayload): Promise<string> {
    return signToken(await this.#signingKey(), claims);
  }

  /** Serves the JWKS over fetch, so the verifier reaches it exactly as it reaches Access's. */
  override async fetch(request: Request): Promise<Response> {
    if (new URL(request.url).pathname !== "/cdn-cgi/access/certs") return new Response("not found", { status: 404 });
    return Response.json(await this.jwks());
  }
}
