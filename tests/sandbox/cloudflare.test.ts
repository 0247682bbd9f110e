// The Cloudflare Containers backend at the interface level, over a fake Sandbox SDK stub.

import { describe, expect, it } from "vitest";
import { CloudflareSandbox, type SdkSandbox, workspacePath } from "../../sandbox/cloudflare.ts";
import { SandboxError, TRUNCATION_MARKER } from "../../sandbox/types.ts";
import { codeOf } from "../helpers/errors.ts";

type Exec = SdkSandbox["exec"];

function fake(exec: Exec, files: Record<string, string> = {}): { sdk: SdkSandbox; commands: string[] } {
  const commands: string[] = [];
  const sdk: SdkSandbox = {
    exec: (command, options) => {
      commands.push(command);
      if (command.startsWith("realpath")) {
        const path = /'(.*)'$/.exec(command)?.[1] ?? "";
        return Promise.resolve({ exitCode: 0, stdout: `${files[`link:${path}`] ?? path}\n`, stderr: "" });
      }
      return exec(command, options);
    },
    writeFile: async (path, content) => {
      files[path] = content;
    },
    readFile: async (path) => ({ content: files[path] ?? "", encoding: "base64" }),
    listFiles: async () => ({
      files: [
        { name: "a", type: "file", size: 1 },
        { name: "d", type: "directory" },
      ],
    }),
    deleteFile: async () => undefined,
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

  it("wraps commands in our own timeout, streams output and checks the exit status itself", async () => {
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
    expect(commands.at(-1)).toBe(`timeout -s KILL 2 bash -c 'echo '\\''hi'\\'''`);
    const killed = new CloudflareSandbox(() => fake(async () => ({ exitCode: 137, stdout: "", stderr: "" })).sdk);
    expect(await killed.exec("s1", { command: "sleep 99", timeoutMs: 1000 })).toMatchObject({
      timedOut: true,
      exitCode: null,
    });
  });

  it("does not wait for a stream that never reports completion", async () => {
    const hang = fake(() => new Promise(() => undefined));
    const backend = new CloudflareSandbox(() => hang.sdk, 50);
    const started = Date.now();
    const result = await backend.exec("s1", { command: "true", timeoutMs: 100 });
    expect(result).toMatchObject({ timedOut: true, signal: "SIGKILL" });
    expect(Date.now() - started).toBeLessThan(1000);
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

  it("refuses a symlink leading out, and round-trips files as bytes", async () => {
    const files: Record<string, string> = { "link:/workspace/evil": "/etc/passwd" };
    const { sdk } = fake(async () => ({ exitCode: 0, stdout: "", stderr: "" }), files);
    const backend = new CloudflareSandbox(() => sdk);
    expect(await codeOf(backend.readFile("s1", "evil"))).toBe("path_outside_workspace");
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    await backend.writeFile("s1", "bin/data", bytes);
    expect(await backend.readFile("s1", "bin/data")).toEqual(bytes);
    expect((await backend.listFiles("s1", ".")).map((f) => f.type)).toEqual(["file", "dir"]);
  });

  it("refuses an archive the container's checks reject", async () => {
    const { sdk } = fake(async () => ({ exitCode: 3, stdout: "", stderr: "entry leaves the workspace" }));
    expect(await codeOf(new CloudflareSandbox(() => sdk).restore("s1", new Uint8Array([1, 2])))).toBe("bad_archive");
  });
});
