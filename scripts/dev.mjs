// `npm run dev`: the local sandbox host and `wrangler dev` together, sharing a fresh secret; extra args go to wrangler.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const secret = randomBytes(24).toString("hex");
const sandboxPort = process.env.SANDBOX_HOST_PORT ?? "8788";
const children = [];
// The secret reaches wrangler through an env file only root can read, never argv (/proc/<pid>/cmdline is
// world-readable). Given --env-file, wrangler skips .dev.vars and .env, so those are passed along first.
const secretDir = mkdtempSync(join(tmpdir(), "edgeclaw-dev-"));
const secretFile = join(secretDir, "sandbox.env");
writeFileSync(secretFile, `SANDBOX_SECRET=${secret}\n`, { mode: 0o600 });
const userEnvFiles = existsSync(".dev.vars") ? [".dev.vars"] : [".env", ".env.local"].filter((f) => existsSync(f));
process.on("exit", () => rmSync(secretDir, { recursive: true, force: true }));

function start(command, args, env) {
  const child = spawn(command, args, { stdio: "inherit", env: { ...process.env, ...env } });
  children.push(child);
  child.on("exit", (code) => {
    for (const other of children) if (other !== child) other.kill("SIGTERM");
    process.exit(code ?? 0);
  });
  return child;
}

start(process.execPath, ["sandbox/host/main.ts"], {
  SANDBOX_SECRET: secret,
  SANDBOX_HOST_PORT: sandboxPort,
  SANDBOX_ROOT: process.env.SANDBOX_ROOT ?? ".wrangler/sandbox",
});
start(
  "wrangler",
  [
    "dev",
    // Remote bindings (Workers AI has no local mode) need a Cloudflare login: off unless `npm run dev -- --remote`.
    ...(process.argv.includes("--remote") ? [] : ["--local"]),
    "--ip",
    "127.0.0.1",
    "--port",
    process.env.PORT ?? "8787",
    "--var",
    "DEV_AUTH:1",
    "--var",
    "SANDBOX_MODE:local",
    "--var",
    `SANDBOX_URL:http://127.0.0.1:${sandboxPort}`,
    ...[...userEnvFiles, secretFile].flatMap((file) => ["--env-file", file]),
    ...process.argv.slice(2),
  ],
  { WRANGLER_SEND_METRICS: process.env.WRANGLER_SEND_METRICS ?? "false" },
);

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    for (const child of children) child.kill("SIGTERM");
  });
}
