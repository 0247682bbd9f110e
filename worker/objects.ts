// The Durable Object classes wrangler binds: each object's shell, handed its slice of the configuration here.

import { getConfig } from "../config/load";
import { DirectoryObject as DirectoryShell } from "../objects/directory/directory-object";
import { SessionObject as SessionShell } from "../objects/session/session-object";
import { TelegramObject as TelegramShell } from "../objects/telegram/telegram-object";
import { UsageObject as UsageShell } from "../objects/usage/usage-object";

export class SessionObject extends SessionShell {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, getConfig(env));
  }
}

export class DirectoryObject extends DirectoryShell {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, getConfig(env));
  }
}

export class TelegramObject extends TelegramShell {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, getConfig(env));
  }
}

export class UsageObject extends UsageShell {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, getConfig(env));
  }
}
