// Our Sandbox Durable Object class: the SDK's, with the container's internet off. The containers library
// defaults `enableInternet` to true and the SDK keeps it, so this subclass is what wrangler binds.
// Pinned: @cloudflare/sandbox 0.12.10 over @cloudflare/containers 0.3.x (`enableInternet`, `allowedHosts`
// as instance fields read when the container starts); docs/sandbox.md says what to check on upgrade.

import { Sandbox as SdkSandboxClass } from "@cloudflare/sandbox";
import { sandboxAllowedHosts } from "../config/sandbox";

export class Sandbox extends SdkSandboxClass<Env> {
  /** No egress from the container unless a host is on the allow-list. */
  override enableInternet = false;

  // biome-ignore lint/complexity/noBannedTypes: the SDK's class is declared over DurableObjectState<{}>.
  constructor(ctx: DurableObjectState<{}>, env: Env) {
    super(ctx, env);
    const hosts = sandboxAllowedHosts(Reflect.get(env, "SANDBOX_ALLOWED_HOSTS"));
    // Allowed hosts get egress even with enableInternet false; nothing else does.
    if (hosts.length > 0) this.allowedHosts = [...hosts];
  }
}
