// The Cloudflare Containers backend at the interface level: over a stand-in SDK stub for its command lines and
// deadlines, and over a container-like root for real file operations.

import { describe, expect, it } from "vitest";
import { CloudflareSandbox, type SdkSandbox, workspacePath } from "../../sandbox/cloudflare.ts";
import { SandboxError, TRUNCATION_MARKER } from "../../sandbox/types.ts";
import { codeOf } from "../helpers/errors.ts";
import { containerLike, TEST_RUNNER } from "./helpers/container-like.ts";

type Exec = SdkSandbox["exec"];

/** A stand-in SDK stub that records every command line and answers with `exec`. */
function fake(exec: Exec): { sdk: SdkSandbox; commands: string[] } {
  const commands: string[] = [];
  const sdk: SdkSandbox = {
    exec: (command, options) => {
      commands.push(command);
      return exec(command, options);
    },
    writeFile: async (_path, content) => {
      if (typeof content !== "string") await new Response(content).arrayBuffer();
    },
    readFileStream: async () => new Blob([]).stream(),
    destroy: async () => undefined,
  };
  return { sdk, commands };
}

describe("Cloudflare sandbox backend", () => {
  it("confines paths to /workspace", () => {
    expect(workspacePath("a/b/../c")).toBe("/workspace/a/c");
    expect(workspacePath(".")).toBe("/workspace");
    expect(() => workspacePath("../x")).toThrow(SandboxError);
    expect(() => workspacePath("/etc/passwd")).toThrow(SandboxError);
  });

  it("runs commands through the runner under our own timeout, streams output and checks the exit status", async () => {
    const { sdk, commands } = fake(async (_command, options) => {
      options?.onOutput?.("stdout", "hi\n");
      return { exitCode: 0, stdout: "hi\n", stderr: "" };
    });
    const seen: string[] = [];
    const backend = new CloudflareSandbox(() => sdk);
    const result = await backend.exec(
      "s1",
      { command: "echo 'hi'", timeoutMs: 2000 },
      { onOutput: (_s, t) => seen.push(t) },
    );
    expect(result).toMatchObject({ exitCode: 0, timedOut: false, stdout: "hi\n" });
    expect(seen).toEqual(["hi\n"]);
    // As the image's user, in its own PID and network namespaces, no capabilities, a clean environment.
    const line = commands.at(-1) ?? "";
    expect(line).toContain(
      "timeout -s KILL 2 unshare --pid --fork --kill-child --mount-proc --net setpriv --reuid=1000 --regid=1000",
    );
    expect(line).toContain("--inh-caps=-all --no-new-privs env -i");
    expect(line).toContain("bash /usr/local/bin/edgeclaw-runner 'exec'");
    expect(line.endsWith(`'.' 'echo '\\''hi'\\'''`)).toBe(true);
    const open = fake(async () => ({ exitCode: 0, stdout: "", stderr: "" }));
    await new CloudflareSandbox(() => open.sdk, { network: true }).exec("s1", { command: "true" });
    expect(open.commands.at(-1)).not.toContain("--net");
    const killed = new CloudflareSandbox(() => fake(async () => ({ exitCode: 137, stdout: "", stderr: "" })).sdk);
    expect(await killed.exec("s1", { command: "sleep 99", timeoutMs: 1000 })).toMatchObject({
      timedOut: true,
      exitCode: null,
    });
  });

  it("does not wait for a stream that never reports completion", async () => {
    const hang = fake(() => new Promise(() => undefined));
    const backend = new CloudflareSandbox(() => hang.sdk, { graceMs: 50 });
    const result = await backend.exec("s1", { command: "true", timeoutMs: 100 });
    expect(result).toMatchObject({ timedOut: true, signal: "SIGKILL" });
  });

  it("caps output with a marker", async () => {
    const big = "x".repeat(600 * 1024);
    const { sdk } = fake(async (_c, options) => {
      options?.onOutput?.("stdout", big);
      options?.onOutput?.("stdout", big);
      return { exitCode: 0, stdout: "", stderr: "" };
    });
    const result = await new CloudflareSandbox(() => sdk).exec("s1", { command: "yes" });
    expect(result.truncated).toBe(true);
    expect(result.stdout.endsWith(TRUNCATION_MARKER)).toBe(true);
  });

  it("refuses a symlink leading out, and round-trips files as bytes (container-like root)", async () => {
    const { sdk } = containerLike(65534);
    const backend = new CloudflareSandbox(() => sdk, { uid: 65534, runner: TEST_RUNNER });
    await backend.exec("s1", { command: "ln -s /etc/passwd evil" });
    expect(await codeOf(backend.readFile("s1", "evil"))).toBe("path_outside_workspace");
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    await backend.writeFile("s1", "bin/data", bytes);
    expect(await backend.readFile("s1", "bin/data")).toEqual(bytes);
    expect((await backend.listFiles("s1", ".")).map((f) => f.type)).toEqual(["dir", "symlink"]);
    await sdk.destroy();
  });

  it("refuses an archive the runner's checks reject", async () => {
    const { sdk } = fake(async (command) =>
      command.startsWith("flock -n -x")
        ? { exitCode: 13, stdout: "", stderr: "entry leaves the workspace" }
        : { exitCode: 0, stdout: "", stderr: "" },
    );
    expect(await codeOf(new CloudflareSandbox(() => sdk).restore("s1", new Uint8Array([1, 2])))).toBe("bad_archive");
  });
});
