// The Sandbox class wrangler binds must keep the container off the internet by default (V8). The containers
// library's base class defaults enableInternet to true and the SDK's class keeps it; the stand-in base here
// has that same default (checked against the installed library), so dropping our override fails this test.

import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";

vi.mock("@cloudflare/sandbox", () => ({
  Sandbox: class {
    /** As @cloudflare/containers' Container: internet on unless a subclass says otherwise. */
    enableInternet = true;
    allowedHosts: string[] | undefined;
  },
}));

const { Sandbox } = await import("../../sandbox/sandbox-class.ts");
const make = (vars: Record<string, string>) => new Sandbox({} as never, vars as never);

describe("the exported Sandbox class", () => {
  it("is what the Worker exports, over the library default this test assumes", () => {
    expect(readFileSync("worker/index.ts", "utf8")).toContain('export { Sandbox } from "../sandbox/sandbox-class";');
    const library = readFileSync("node_modules/@cloudflare/containers/dist/lib/container.js", "utf8");
    expect(library).toMatch(/^\s*enableInternet = true;$/m);
  });

  it("allows no internet by default", () => {
    const sandbox = make({});
    expect(sandbox.enableInternet).toBe(false);
    expect(sandbox.allowedHosts).toBeUndefined();
  });

  it("opens only the allow-listed hosts when SANDBOX_ALLOWED_HOSTS names them", () => {
    const sandbox = make({ SANDBOX_ALLOWED_HOSTS: "registry.npmjs.org, *.pypi.org" });
    expect(sandbox.enableInternet).toBe(false);
    expect(sandbox.allowedHosts).toEqual(["registry.npmjs.org", "*.pypi.org"]);
    expect(() => make({ SANDBOX_ALLOWED_HOSTS: "http://evil/" })).toThrow(/SANDBOX_ALLOWED_HOSTS/);
  });
});
