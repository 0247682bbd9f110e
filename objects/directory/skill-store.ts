// A user's skills in their directory: a name, a one-line description the model sees, and a body loaded on demand.

import { eq } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import type { Skill } from "../../protocol/api";
import { skills } from "./schema";

export class SkillStore {
  readonly #db: DrizzleSqliteDODatabase;

  constructor(db: DrizzleSqliteDODatabase) {
    this.#db = db;
  }

  /** Every skill's name and description (what the model is offered), by name. */
  list(): Omit<Skill, "body">[] {
    return this.#db
      .select({ name: skills.name, description: skills.description, updatedAt: skills.updatedAt })
      .from(skills)
      .orderBy(skills.name)
      .all();
  }

  get(name: string): Skill | null {
    return this.#db.select().from(skills).where(eq(skills.name, name)).get() ?? null;
  }

  put(skill: Omit<Skill, "updatedAt">): Skill {
    const row = { ...skill, updatedAt: Date.now() };
    this.#db.insert(skills).values(row).onConflictDoUpdate({ target: skills.name, set: row }).run();
    return row;
  }

  remove(name: string): boolean {
    return this.#db.delete(skills).where(eq(skills.name, name)).returning({ name: skills.name }).all().length > 0;
  }
}
