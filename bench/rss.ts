// Resident memory of the workerd process that serves one `wrangler dev` (found by its process group).

import { readdirSync, readFileSync } from "node:fs";

function statusOf(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return "";
  }
}

/** The pid of the workerd in process group `group` (the benchmarks run two servers side by side). */
export function workerdPid(group: number): string | undefined {
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
    if (name === "workerd" && Number(fields[2]) === group) return pid;
  }
  return undefined;
}

/** workerd's resident set in bytes (0 when it cannot be read). */
export function workerdRss(group: number): number {
  const pid = workerdPid(group);
  if (!pid) return 0;
  return Number(/VmRSS:\s+(\d+)/.exec(statusOf(pid))?.[1] ?? 0) * 1024;
}
