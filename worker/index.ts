// The Worker's entry: the HTTP app, and the Durable Object classes wrangler binds.

import { createApp } from "./app";

export { Sandbox } from "../sandbox/sandbox-class";
export { DevIssuerObject } from "./auth/dev-issuer-object";
export { DirectoryObject, SessionObject, TelegramObject, UsageObject } from "./objects";

const app = createApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
