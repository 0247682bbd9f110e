// Resident memory of the workerd processes that serve one `wrangler dev` (found by its process group). wrangler dev
// runs two: a proxy in front, and the runtime that serves the Worker, its Durable Objects and local R2; both count.

import { readdirSync, readFileSync } from "node:fs";

function statusOf(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return "";
  }
}

/** The pids of the workerd processes in process group `group` (the benchmarks run two servers side by side). */
export function workerdPids(group: number): string[] {
  const pids: string[] = [];
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    let stat = "";
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue;
    }
    // "pid (comm) state ppid pgrp …": the name may hold spaces, so read after the last ')'.
    const close = stat.lastIndexOf(")");
    const name = stat.slice(stat.indexOf("(") + 1, close);
    const fields = stat.slice(close + 2).split(" ");
    if (name === "workerd" && Number(fields[2]) === group) pids.push(pid);
  }
  return pids;
}

/** The resident set in bytes of the group's workerd processes together (0 when none can be read). */
export function workerdRss(group: number): number {
  return workerdPids(group).reduce(
    (sum, pid) => sum + Number(/VmRSS:\s+(\d+)/.exec(statusOf(pid))?.[1] ?? 0) * 1024,
    0,
  );
}
