// Staging bytes in the container through the SDK's text file API: pieces of a bounded size, base64 that decodes to
// the bytes, each piece pulled from the source only once the one before is in the container, and a source that
// breaks leaves no partial file.

import { describe, expect, it } from "vitest";
import { base64, type StagingSdk, stageFile } from "../../sandbox/container-staging.ts";

/** `count` chunks of `size` bytes, one per pull; counts the pulls; breaks at chunk `breakAt` if given. */
function chunks(count: number, size: number, breakAt?: number) {
  let pulls = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (pulls === breakAt) return controller.error(new Error("the range could not be read"));
        if (pulls === count) return controller.close();
        controller.enqueue(new Uint8Array(size).fill(pulls % 251));
        pulls++;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulls: () => pulls };
}

/** An SDK and a root shell that keep the staged file in memory, recording every step. */
function container() {
  const files = new Map<string, Uint8Array>();
  const steps: string[] = [];
  const pieces: number[] = [];
  const sdk: StagingSdk = {
    async writeFile(path, content, options) {
      if (options.encoding !== "base64") throw new Error("base64 only");
      const bytes = Uint8Array.from(Buffer.from(content, "base64"));
      files.set(path, bytes);
      pieces.push(bytes.length);
      steps.push(`write ${bytes.length}`);
    },
  };
  const shell = async (line: string) => {
    steps.push(line.split(" ")[0] ?? "");
    const [target = ""] = [...line.matchAll(/'([^']+)'/g)].map((m) => m[1]);
    if (line.startsWith(": >")) files.set(target, new Uint8Array(0));
    else if (line.startsWith("cat")) {
      const [piece = "", into = ""] = [...line.matchAll(/'([^']+)'/g)].map((m) => m[1] ?? "");
      files.set(
        into,
        Uint8Array.from(Buffer.concat([files.get(into) ?? new Uint8Array(0), files.get(piece) ?? new Uint8Array(0)])),
      );
      files.delete(piece);
    } else if (line.startsWith("rm")) for (const [, name] of line.matchAll(/'([^']+)'/g)) files.delete(name ?? "");
  };
  return { sdk, shell, files, steps, pieces };
}

describe("stageFile", () => {
  it("sends bounded pieces, each pulled only once the one before is in the container", async () => {
    const box = container();
    const source = chunks(10, 1000);
    const pullsAtWrite: number[] = [];
    const sdk: StagingSdk = {
      writeFile: (path, content, options) => {
        pullsAtWrite.push(source.pulls());
        return box.sdk.writeFile(path, content, options);
      },
    };
    await stageFile(sdk, box.shell, "/run/edgeclaw/a.tgz", source.stream, 2500);
    expect(box.pieces).toEqual([2500, 2500, 2500, 2500]);
    // A piece of 2,500 bytes needs 3 chunks of 1,000; the next piece's chunks are pulled after it was written.
    expect(pullsAtWrite).toEqual([3, 5, 8, 10]);
    const staged = box.files.get("/run/edgeclaw/a.tgz");
    expect(staged?.length).toBe(10_000);
    expect(staged?.[0]).toBe(0);
    expect(staged?.[9_999]).toBe(9);
    expect([...box.files.keys()]).toEqual(["/run/edgeclaw/a.tgz"]);
  });

  it("stages an empty source as an empty file, and bytes given whole", async () => {
    const box = container();
    await stageFile(box.sdk, box.shell, "/run/edgeclaw/empty", chunks(0, 1).stream);
    expect(box.files.get("/run/edgeclaw/empty")).toEqual(new Uint8Array(0));
    await stageFile(box.sdk, box.shell, "/run/edgeclaw/whole", new Uint8Array([1, 2, 3, 250]));
    expect(box.files.get("/run/edgeclaw/whole")).toEqual(new Uint8Array([1, 2, 3, 250]));
  });

  it("removes what it staged when the source breaks", async () => {
    const box = container();
    await expect(
      stageFile(box.sdk, box.shell, "/run/edgeclaw/b.tgz", chunks(10, 1000, 6).stream, 2500),
    ).rejects.toThrow("could not be read");
    expect(box.files.size).toBe(0);
    expect(box.steps.at(-1)).toBe("rm");
  });

  it("encodes any length to the base64 Node decodes", () => {
    for (const size of [0, 1, 2, 3, 24_575, 24_576, 24_577, 100_000]) {
      const bytes = Uint8Array.from({ length: size }, (_, i) => (i * 31) % 256);
      expect(base64(bytes)).toBe(Buffer.from(bytes).toString("base64"));
    }
  });
});
