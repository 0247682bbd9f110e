// drizzle-kit config for the usage Durable Object's SQLite: `npm run db:generate` writes migrations/usage/.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  driver: "durable-sqlite",
  schema: "./objects/usage/schema.ts",
  out: "./migrations/usage",
});
