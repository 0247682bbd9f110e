// web_fetch: only public http(s), checked on every redirect, bounded in size, HTML as text.

import { describe, expect, it } from "vitest";
import { htmlToText } from "../../agent/tools/html-to-text";
import { refusal, WEB_FETCH_MAX_BYTES, webFetchTool } from "../../agent/tools/web-fetch";

const ctx = { sessionId: "s", user: "u", signal: new AbortController().signal, onOutput: () => {} };

describe("web_fetch", () => {
  it.each([
    "http://127.0.0.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.1.2.3/",
    "http://192.168.0.1/",
    "http://[::1]/",
    "http://localhost:8787/",
    "http://2130706433/",
    "file:///etc/passwd",
    "ftp://example.com/",
    "https://user:pass@example.com/",
  ])("refuses %s", async (url) => {
    expect(refusal(url)).not.toBeNull();
    const tool = webFetchTool(() => Promise.reject(new Error("must not be fetched")));
    const result = await tool.run({ url }, ctx);
    expect(result).toMatchObject({ ok: false, output: expect.stringMatching(/^refused/) });
  });

  it("refuses a redirect to a private address", async () => {
    const seen: string[] = [];
    const tool = webFetchTool(async (url) => {
      seen.push(url);
      return new Response(null, { status: 302, headers: { location: "http://169.254.169.254/secrets" } });
    });
    const result = await tool.run({ url: "https://example.com/start" }, ctx);
    expect(result.output).toContain("refused http://169.254.169.254/secrets");
    expect(seen).toEqual(["https://example.com/start"]);
  });

  it("follows at most 5 redirects, each checked; a sixth is refused", async () => {
    // A chain of `hops` redirects on a public host, then the page.
    const chain = (hops: number) => {
      const seen: string[] = [];
      const fetcher = async (url: string) => {
        seen.push(url);
        const n = Number(new URL(url).searchParams.get("n") ?? "0");
        return n < hops
          ? new Response(null, { status: 302, headers: { location: `/hop?n=${n + 1}` } })
          : new Response("arrived", { headers: { "content-type": "text/plain" } });
      };
      return { seen, tool: webFetchTool(fetcher) };
    };
    const five = chain(5);
    expect(await five.tool.run({ url: "https://example.com/hop?n=0" }, ctx)).toMatchObject({ ok: true });
    expect(five.seen).toHaveLength(6);
    const six = chain(6);
    const result = await six.tool.run({ url: "https://example.com/hop?n=0" }, ctx);
    expect(result).toMatchObject({ ok: false, output: expect.stringContaining("more than 5 redirects") });
    expect(six.seen).toHaveLength(6);
  });

  it("refuses a 20 MB body and returns readable text of a page, with its origin", async () => {
    const huge = webFetchTool(async () => {
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(c) {
          if (sent >= 20 * 1024 * 1024) return c.close();
          sent += 64 * 1024;
          c.enqueue(new Uint8Array(64 * 1024));
        },
      });
      return new Response(stream);
    });
    expect((await huge.run({ url: "https://example.com/big" }, ctx)).output).toContain(
      `over ${WEB_FETCH_MAX_BYTES} bytes`,
    );
    const page = webFetchTool(
      async () =>
        new Response("<html><script>evil()</script><h1>Title</h1><p>Hello &amp; welcome</p></html>", {
          headers: { "content-type": "text/html" },
        }),
    );
    const result = await page.run({ url: "https://example.com/page" }, ctx);
    expect(result).toMatchObject({ ok: true });
    expect(result.output).toBe("Fetched from https://example.com (HTTP 200):\n# Title\n\nHello & welcome");
    expect(await htmlToText("<style>x{}</style>a<br>b")).toBe("a\nb");
  });
});
