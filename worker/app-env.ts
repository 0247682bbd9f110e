// The Hono environment every route shares: the bindings, and what the app's middleware sets per request.

import type { Config } from "../config/config";
import type { Authenticated } from "./auth/authenticate";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** The configuration, loaded once per isolate by the first middleware. */
    config: Config;
    /** The verified caller of an `/api/*` or `/admin/*` request. */
    auth: Authenticated;
  };
}
