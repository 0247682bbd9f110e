// Skills: the model sees each skill's name and description, and loads a body with load_skill when it needs it.

import type { Skill } from "../../protocol/api";
import type { Tool } from "./types";

export interface SkillStore {
  skillList(): Promise<Omit<Skill, "body">[]>;
  skillGet(name: string): Promise<Skill | null>;
}

/** The part of the system prompt that offers the skills (names and descriptions only). */
export function skillsDigest(list: Omit<Skill, "body">[]): string {
  if (list.length === 0) return "";
  return [
    "Skills you can load with load_skill when a task needs one:",
    ...list.map((s) => `- ${s.name}: ${s.description}`),
  ].join("\n");
}

export function skillTool(store: SkillStore): Tool {
  return {
    spec: {
      name: "load_skill",
      description: "Load the full instructions of one of the user's skills by name.",
      parameters: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
    },
    async run(args) {
      const skill = typeof args.name === "string" ? await store.skillGet(args.name) : null;
      return skill
        ? { ok: true, output: `# ${skill.name}\n\n${skill.body}` }
        : { ok: false, output: `no skill named "${String(args.name)}"` };
    },
  };
}
