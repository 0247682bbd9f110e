// `npm run dev` must not put the sandbox secret on any command line (V3): a stand-in wrangler on PATH reads
// the secret the way wrangler does (its env files or --var) and looks for it in every process's /proc/<pid>/cmdline.

import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";

const FAKE_WRANGLER = `#!/bin/bash
secret=""
while [ $# -gt 0 ]; do
  case "$2" in SANDBOX_SECRET:*) [ "$1" = "--var" ] && secret="\${2#SANDBOX_SECRET:}" ;; esac
  if [ "$1" = "--env-file" ]; then line=$(grep '^SANDBOX_SECRET=' "$2" || true); [ -n "$line" ] && secret="\${line#SANDBOX_SECRET=}"; fi
  shift
done
# An env file may quote the value.
secret=$(printf '%s' "$secret" | tr -d "'\\"")
exposed=0
for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < "$f" 2>/dev/null | grep -qF -- "$secret" && [ -n "$secret" ] && exposed=$((exposed + 1)); done
printf '{"secretLength":%d,"exposed":%d}' "\${#secret}" "$exposed" > "$REPORT"
`;

it("passes the sandbox secret to wrangler through a private env file, never on a command line", async () => {
  const dir = mkdtempSync(join(tmpdir(), "edgeclaw-devtest-"));
  writeFileSync(join(dir, "wrangler"), FAKE_WRANGLER);
  chmodSync(join(dir, "wrangler"), 0o755);
  const report = join(dir, "report.json");
  const dev = spawn(process.execPath, ["scripts/dev.mjs"], {
    env: {
      ...process.env,
      PATH: `${dir}:${process.env.PATH ?? ""}`,
      REPORT: report,
      SANDBOX_HOST_PORT: "0",
      SANDBOX_ROOT: join(dir, "sandbox"),
    },
    stdio: "ignore",
  });
  // The stand-in wrangler exits after its check, and dev.mjs exits with it.
  await new Promise((resolve) => dev.once("exit", resolve));
  const result = JSON.parse(readFileSync(report, "utf8")) as { secretLength: number; exposed: number };
  expect(result.secretLength).toBe(48);
  expect(result.exposed).toBe(0);
});
