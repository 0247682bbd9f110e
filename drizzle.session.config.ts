// drizzle-kit config for the session Durable Object's SQLite: `npm run db:generate` writes migrations/session/.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  driver: "durable-sqlite",
  schema: "./objects/session/schema.ts",
  out: "./migrations/session",
});
