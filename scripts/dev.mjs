// `npm run dev`: the local sandbox host, the model (see detect-provider.mjs) and `wrangler dev` together; extra args go to wrangler.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { argVars, demoVars, detectProvider, envFileText, readDevVars } from "./detect-provider.mjs";
import { devVapidVars } from "./vapid-keys.mjs";

const secret = randomBytes(24).toString("hex");
const sandboxPort = process.env.SANDBOX_HOST_PORT ?? "8788";
const children = [];
const cleanups = [];

function stopAll(code) {
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  for (const cleanup of cleanups) cleanup();
  process.exit(code);
}

function start(command, args, env, stdio = "inherit") {
  const child = spawn(command, args, { stdio, env: { ...process.env, ...env } });
  children.push(child);
  child.on("exit", (code) => stopAll(code ?? 0));
  return child;
}

/**
 * Starts a loopback server that names its URL in the first line it prints ("… on http://127.0.0.1:PORT"), and
 * resolves with that URL, so it can be given port 0. What it prints after that goes on to our stdout when `echo`.
 */
function startAnnounced(args, env, echo) {
  const child = start(process.execPath, args, env, ["ignore", "pipe", "inherit"]);
  return new Promise((resolve) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const url = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (url) {
        child.stdout.removeAllListeners("data");
        if (echo) {
          process.stdout.write(out);
          child.stdout.pipe(process.stdout);
        } else child.stdout.resume();
        resolve(url);
      }
    });
  });
}

/** A local MCP_ENCRYPTION_KEY, made once and kept, so stored MCP secrets stay readable across restarts. */
function localMcpKey() {
  if (process.env.MCP_ENCRYPTION_KEY) return process.env.MCP_ENCRYPTION_KEY;
  const file = ".wrangler/mcp-encryption-key";
  if (!existsSync(file)) {
    mkdirSync(".wrangler", { recursive: true });
    writeFileSync(file, randomBytes(32).toString("base64"), { mode: 0o600 });
  }
  return readFileSync(file, "utf8").trim();
}

/**
 * Writes what wrangler must get on top of .dev.vars (the model, the local secrets) as one env file only
 * root can read, removed on exit: secrets never go on argv (/proc/<pid>/cmdline is world-readable).
 */
function envFile(devVarsPath, vars, cli) {
  mkdirSync(".wrangler/tmp", { recursive: true });
  const path = `.wrangler/tmp/dev-${process.pid}.env`;
  const own = existsSync(devVarsPath) ? readFileSync(devVarsPath, "utf8") : "";
  // An --env-file replaces .dev.vars, so it carries .dev.vars first; the --vars typed on the command line still win.
  writeFileSync(path, `${own}\n${envFileText({ ...vars, ...cli })}\n`, { mode: 0o600 });
  cleanups.push(() => rmSync(path, { force: true }));
  return ["--env-file", path];
}

const wranglerArgs = process.argv.slice(2);
const devVarsPath = ".dev.vars";
const devVars = readDevVars(devVarsPath);
const cli = argVars(wranglerArgs);
const choice = await detectProvider({ processEnv: process.env, devVars, cliVars: cli });
const demoModel = () => startAnnounced(["devtools/demo-model/server.ts", "--demo", "--port", "0"], {}, false);
const modelVars = choice.kind === "demo" ? demoVars(await demoModel(), { ...devVars, ...cli }) : choice.vars;
console.log(`edgeclaw: the model is ${choice.label}`);
if (choice.kind === "demo") {
  console.log(
    "edgeclaw: to connect a real model, set OPENAI_API_KEY in .dev.vars (see .dev.vars.example) or start Ollama",
  );
}
const secrets = { SANDBOX_SECRET: secret, MCP_ENCRYPTION_KEY: localMcpKey(), ...devVapidVars() };

const sandboxUrl = await startAnnounced(
  ["sandbox/host/main.ts"],
  {
    SANDBOX_SECRET: secret,
    SANDBOX_HOST_PORT: sandboxPort,
    SANDBOX_ROOT: process.env.SANDBOX_ROOT ?? ".wrangler/sandbox",
  },
  true,
);
start(
  "wrangler",
  [
    "dev",
    // Remote bindings (Workers AI has no local mode) need a Cloudflare login: off unless `npm run dev -- --remote`.
    ...(wranglerArgs.includes("--remote") ? [] : ["--local"]),
    "--ip",
    "127.0.0.1",
    "--port",
    process.env.PORT ?? "8787",
    "--var",
    "DEV_AUTH:1",
    "--var",
    "SANDBOX_MODE:local",
    "--var",
    `SANDBOX_URL:${sandboxUrl}`,
    ...envFile(devVarsPath, { ...secrets, ...modelVars }, cli),
    ...wranglerArgs,
  ],
  { WRANGLER_SEND_METRICS: process.env.WRANGLER_SEND_METRICS ?? "false" },
);

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => stopAll(0));
}
