// The worker of `npm run bench:sql-cache` (bench/sql-cache.ts): a Durable Object that runs the session object's
// migrations in one of three ways (or not at all), then holds a hibernating socket, so that the resident set per
// object of each way can be compared.

import { DurableObject } from "cloudflare:workers";
import session from "../../migrations/session/migrations.js";

/** The session object's migrations, each a list of statements, split as `objects/shared/migrate.ts` splits them. */
const migrations = Object.values(session.migrations).map((text) =>
  text
    .split("--> statement-breakpoint")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => (s.endsWith(";") ? s : `${s}\n;`)),
);

export class Probe extends DurableObject {
  async fetch(request) {
    const how = new URL(request.url).searchParams.get("how");
    const sql = this.ctx.storage.sql;
    this.ctx.storage.transactionSync(() => {
      if (how === "statement") for (const statements of migrations) for (const s of statements) sql.exec(s);
      if (how === "file") for (const statements of migrations) sql.exec(statements.join("\n"));
      if (how === "script") sql.exec(migrations.flat().join("\n"));
    });
    const [client, server] = Object.values(new WebSocketPair());
    this.ctx.acceptWebSocket(server);
    return new Response(null, { status: 101, webSocket: client });
  }

  webSocketMessage(socket, message) {
    socket.send(message);
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (request.headers.get("upgrade") !== "websocket") return new Response("up");
    return env.PROBE.getByName(url.searchParams.get("id") ?? "probe").fetch(request);
  },
};
