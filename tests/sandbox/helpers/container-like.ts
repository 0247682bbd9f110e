// A container-like root for the Cloudflare backend without Docker: each SDK call runs as root in bubblewrap
// over a private root folder (its own /, /workspace, /run, /tmp; /usr and /etc of the host read-only), the way
// the Sandbox SDK runs calls as root in the container. The runner is mounted where the image installs it.

import { spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  createReadStream,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { SdkSandbox } from "../../../sandbox/cloudflare.ts";
import { RUNNER_PATH } from "../../../sandbox/host/jail.ts";

export const TEST_RUNNER = "/opt/edgeclaw-runner";

export function containerLike(uid: number): { sdk: SdkSandbox; root: string } {
  const root = mkdtempSync(join(tmpdir(), "edgeclaw-container-"));
  chmodSync(root, 0o755);
  mkdirSync(join(root, "workspace"));
  chownSync(join(root, "workspace"), uid, uid);
  // The image's layout, made once: mount points and the usual links into /usr.
  for (const dir of ["usr", "etc", "proc", "dev", "tmp", "run", "opt"]) mkdirSync(join(root, dir));
  for (const link of ["bin", "sbin", "lib", "lib64"]) symlinkSync(`usr/${link}`, join(root, link));
  writeFileSync(join(root, TEST_RUNNER), "");
  const host = (path: string) => join(root, path);
  // What the SDK's root shell has in its environment: a secret the runner's commands must not see.
  const containerEnv: NodeJS.ProcessEnv = Object.create(null);
  containerEnv.PATH = "/usr/sbin:/usr/bin:/sbin:/bin";
  containerEnv.SECRET_OF_THE_WORKER = "sk-container-secret";
  const sdk: SdkSandbox = {
    exec(command, options = {}) {
      const child = spawn(
        "bwrap",
        [
          "--bind",
          root,
          "/",
          "--ro-bind",
          "/usr",
          "/usr",
          "--ro-bind",
          "/etc",
          "/etc",
          "--ro-bind",
          RUNNER_PATH,
          TEST_RUNNER,
          "--proc",
          "/proc",
          "--dev",
          "/dev",
          "--tmpfs",
          "/tmp",
          "--unshare-pid",
          "--cap-add",
          "ALL",
          "--die-with-parent",
          "--chdir",
          "/workspace",
          "--",
          "/bin/bash",
          "-c",
          command,
        ],
        { stdio: ["ignore", "pipe", "pipe"], env: containerEnv },
      );
      const out = { stdout: "", stderr: "" };
      for (const stream of ["stdout", "stderr"] as const) {
        child[stream].on("data", (chunk: Buffer) => {
          const text = chunk.toString("utf8");
          if (options.stream) options.onOutput?.(stream, text);
          else out[stream] += text;
        });
      }
      options.signal?.addEventListener("abort", () => child.kill("SIGKILL"), { once: true });
      return new Promise((resolve, reject) => {
        child.once("error", reject);
        child.once("close", (code, signal) => {
          if (options.signal?.aborted) reject(new Error("aborted"));
          else resolve({ exitCode: code ?? (signal === "SIGKILL" ? 137 : 1), ...out });
        });
      });
    },
    // As the SDK over its default HTTP transport: text content only (a ReadableStream throws there), base64 decoded.
    async writeFile(path, content, options) {
      if (typeof content !== "string") throw new Error("writeFileStream requires the rpc transport.");
      if (options.encoding !== "base64" || !/^[A-Za-z0-9+/]*={0,2}$/.test(content))
        throw new Error("the content is not base64");
      writeFileSync(host(path), Buffer.from(content, "base64"), { mode: 0o600 });
    },
    async readFileStream(path) {
      return Readable.toWeb(createReadStream(host(path))) as unknown as ReadableStream<Uint8Array>;
    },
    async destroy() {
      rmSync(root, { recursive: true, force: true });
    },
  };
  return { sdk, root };
}
