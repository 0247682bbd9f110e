// drizzle-kit config for the Telegram Durable Object's SQLite: `npm run db:generate` writes migrations/telegram/.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  driver: "durable-sqlite",
  schema: "./objects/telegram/schema.ts",
  out: "./migrations/telegram",
});
