// The Worker's entry: the HTTP app, and the Durable Object classes wrangler binds.

import { createApp } from "./app";

export { DevIssuerObject } from "../objects/dev-issuer/dev-issuer-object";
export { DirectoryObject } from "../objects/directory/directory-object";
export { SessionObject } from "../objects/session/session-object";
export { TelegramObject } from "../objects/telegram/telegram-object";
export { UsageObject } from "../objects/usage/usage-object";
export { Sandbox } from "../sandbox/sandbox-class";

const app = createApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
