// Builds the web client (chat at /, admin at /admin) into web/dist, served as Workers static assets.
import { resolve } from "node:path";
import { defineConfig } from "vite";

export default defineConfig({
  root: resolve(import.meta.dirname),
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    rollupOptions: {
      input: {
        chat: resolve(import.meta.dirname, "index.html"),
        admin: resolve(import.meta.dirname, "admin.html"),
        mcp: resolve(import.meta.dirname, "mcp.html"),
        "sw-push": resolve(import.meta.dirname, "src/sw-push-entry.ts"),
      },
      // The service worker's push handlers keep a fixed URL (/sw-push.js) for importScripts in public/sw.js.
      output: { entryFileNames: (chunk) => (chunk.name === "sw-push" ? "sw-push.js" : "assets/[name]-[hash].js") },
    },
  },
});
