// drizzle-kit config for the directory Durable Object's SQLite: `npm run db:generate` writes migrations/directory/.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  driver: "durable-sqlite",
  schema: "./objects/directory/schema.ts",
  out: "./migrations/directory",
});
