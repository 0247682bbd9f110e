// Starts the real service with `wrangler dev` on a free loopback port, for tests and benchmarks driven from Node.

import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSandboxHost } from "../../../sandbox/host/server.ts";

export interface DevServer {
  url: string;
  /** Process group of `wrangler dev` and its workerd (benchmarks read workerd's memory through it). */
  processGroup: number;
  persistDir: string;
  /** The port of workerd's inspector (Chrome DevTools protocol), for `bench/profile.ts`. */
  inspectorPort: number;
  /** The local sandbox host the service uses. */
  sandbox: { url: string; secret: string };
  /** Stops the sandbox host abruptly (fault tests). */
  killSandbox(): Promise<void>;
  stop(): Promise<void>;
}

async function sandboxHost(persistDir: string) {
  const secret = randomBytes(24).toString("hex");
  const host = await startSandboxHost({ port: 0, secret, root: join(persistDir, "sandbox") });
  return { host, secret, vars: { SANDBOX_MODE: "local", SANDBOX_URL: host.url, SANDBOX_SECRET: secret } };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Everything a child with piped stdout and stderr prints, as it comes. */
export function captureOutput(child: ChildProcess): () => string {
  let output = "";
  const add = (chunk: Buffer) => {
    output += chunk;
  };
  child.stdout?.on("data", add);
  child.stderr?.on("data", add);
  return () => output;
}

/** Stops a detached child and its whole process group: SIGTERM, then SIGKILL if it has not exited after 5 s. */
export async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  process.kill(-child.pid, "SIGTERM");
  const timer = setTimeout(() => child.pid && process.kill(-child.pid, "SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

/** Whether the service is up: it answers below 500 (a misconfigured one is up once it answers `config_error`). */
export type UpCheck = (response: Response) => Promise<boolean>;

const answersBelow500: UpCheck = async (response) => response.status < 500;

/** A service started misconfigured on purpose is up once it names the problem. */
export const answersConfigError: UpCheck = async (response) =>
  response.status === 500 && (await response.text()).includes('"config_error"');

/** The address `wrangler dev` says it listens on: it is given port 0 and picks a free port itself, so no other
 * process can take the port between choosing it and binding it. */
export function readyUrl(log: string): string | undefined {
  return /Ready on (http:\/\/127\.0\.0\.1:\d+)/.exec(log)?.[1];
}

/**
 * Waits for wrangler's "Ready on" line, then polls the local issuer's JWKS there until the service answers; fails at
 * once if the process exits. Resolves with the service's URL.
 */
export async function waitUntilUp(
  child: ChildProcess,
  log: () => string,
  timeoutMs: number,
  up: UpCheck = answersBelow500,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${log()}`);
    const url = readyUrl(log());
    try {
      if (url && (await up(await fetch(`${url}/cdn-cgi/access/certs`)))) return url;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`wrangler dev did not start within ${timeoutMs} ms:\n${log()}`);
}

/** Runs `wrangler dev` (DEV_AUTH=1) with its state in `persistDir`, so a restart keeps the data. */
export async function startDevServer(
  options: { persistDir?: string; vars?: Record<string, string>; config?: string; up?: UpCheck } = {},
): Promise<DevServer> {
  const persistDir = options.persistDir ?? mkdtempSync(join(tmpdir(), "edgeclaw-e2e-"));
  // The sandbox user (nobody) must pass through to its workspaces under this directory.
  chmodSync(persistDir, 0o711);
  const sandbox = await sandboxHost(persistDir);
  const vars = { DEV_AUTH: "1", ...sandbox.vars, ...options.vars };
  // --local: no remote bindings (the AI binding has none locally), so no Cloudflare login is needed.
  // An empty env file in place of the developer's .dev.vars (or .env): the tests see only the variables they set.
  const envFile = join(persistDir, "empty.env");
  writeFileSync(envFile, "");
  const args = ["wrangler", "dev", "--local", "--ip", "127.0.0.1", "--port", "0", "--persist-to", persistDir];
  args.push("--env-file", envFile, "--show-interactive-dev-session=false");
  if (options.config) args.push("--config", options.config);
  for (const [key, value] of Object.entries(vars)) args.push("--var", `${key}:${value}`);
  // The inspector's port must be known (the benchmarks profile through it), so it is chosen here, and another
  // process may take it before wrangler binds it: wrangler then stops with "Address already in use", and the
  // start is tried again with another port.
  for (let attempt = 1; ; attempt++) {
    const inspectorPort = await freePort();
    try {
      const { child, url } = await startWrangler([...args, "--inspector-port", String(inspectorPort)], options.up);
      return {
        url,
        processGroup: child.pid ?? 0,
        persistDir,
        inspectorPort,
        sandbox: { url: sandbox.host.url, secret: sandbox.secret },
        killSandbox: () => sandbox.host.close(),
        stop: async () => {
          await sandbox.host.close();
          await stopGroup(child);
        },
      };
    } catch (error) {
      if (attempt < 3 && String(error).includes("Address already in use")) continue;
      await sandbox.host.close();
      throw error;
    }
  }
}

/** Spawns `npx wrangler <args>` in a process group of its own and waits until it serves; stops it if it does not. */
async function startWrangler(args: string[], up?: UpCheck): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn("npx", args, {
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  try {
    return { child, url: await waitUntilUp(child, captureOutput(child), 60_000, up) };
  } catch (error) {
    await stopGroup(child);
    throw error;
  }
}
