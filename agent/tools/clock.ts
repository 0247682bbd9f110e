// The `current_time` tool: the date and time now, in a time zone the model names (runs in the Worker).

import type { Tool } from "./types";

export const clockTool: Tool = {
  spec: {
    name: "current_time",
    description: "The current date and time. Give an IANA time zone such as Europe/Paris; UTC when omitted.",
    parameters: {
      type: "object",
      properties: { timeZone: { type: "string", description: "IANA time zone, e.g. America/New_York" } },
      additionalProperties: false,
    },
  },
  async run(args) {
    const timeZone = typeof args.timeZone === "string" && args.timeZone !== "" ? args.timeZone : "UTC";
    try {
      const text = new Intl.DateTimeFormat("en-GB", { timeZone, dateStyle: "full", timeStyle: "long" }).format(
        new Date(),
      );
      return { ok: true, output: `${text} (${timeZone}); ISO ${new Date().toISOString()}` };
    } catch {
      return { ok: false, output: `unknown time zone "${timeZone}"` };
    }
  },
};
