// The schedule tool: the model proposes a one-off or recurring task; the user approves it first.

import type { Tool } from "./types";

/** A task the tool asks its session to create; the session's task store takes it as is. */
export interface NewTask {
  prompt: string;
  /** A one-off run time (epoch ms), or a cron expression. */
  at?: number;
  cron?: string;
  timeZone?: string;
  createdBy: string;
}

/** What the tool reports of a created task. */
export interface CreatedTask {
  id: string;
  /** Epoch ms of its first run; null when it never runs. */
  nextRunAt: number | null;
}

export function scheduleTool(create: (input: NewTask) => Promise<{ task: CreatedTask } | { error: string }>): Tool {
  return {
    spec: {
      name: "schedule",
      description:
        "Schedule a prompt to run later in this session: once at an ISO time (at), or on a cron expression (minute hour day month weekday) in an IANA time zone.",
      parameters: {
        type: "object",
        properties: {
          prompt: { type: "string" },
          at: { type: "string", description: "ISO 8601 time, for a one-off task" },
          cron: { type: "string", description: "five fields or a nickname, e.g. 0 9 * * MON-FRI or @daily" },
          timeZone: { type: "string", description: "e.g. Europe/Paris (default UTC)" },
        },
        required: ["prompt"],
      },
    },
    needsApproval: true,
    async run(args, ctx) {
      const at = typeof args.at === "string" ? Date.parse(args.at) : undefined;
      const created = await create({
        prompt: typeof args.prompt === "string" ? args.prompt : "",
        ...(at === undefined ? {} : { at }),
        ...(typeof args.cron === "string" ? { cron: args.cron } : {}),
        ...(typeof args.timeZone === "string" ? { timeZone: args.timeZone } : {}),
        createdBy: ctx.user,
      });
      if ("error" in created) return { ok: false, output: created.error };
      const next = created.task.nextRunAt ? new Date(created.task.nextRunAt).toISOString() : "never";
      return { ok: true, output: `scheduled task ${created.task.id}; next run ${next}` };
    },
  };
}
