// After a deploy: runs the container-only sandbox checks (sandbox/container/check-sandbox.sh, baked into the
// image as edgeclaw-check-sandbox) inside a live session container over `wrangler containers ssh`.
// Usage: node scripts/check-container-sandbox.mjs <container instance id>
// (list instances with `npx wrangler containers instances <application>`; SSH must be enabled for the app).
import { spawnSync } from "node:child_process";

const id = process.argv[2];
if (!id || !/^[A-Za-z0-9_-]{8,128}$/.test(id)) {
  console.error("usage: node scripts/check-container-sandbox.mjs <container instance id>");
  process.exit(2);
}
const result = spawnSync("npx", ["wrangler", "containers", "ssh", id, "--", "edgeclaw-check-sandbox"], {
  stdio: "inherit",
  env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
});
process.exit(result.status ?? 1);
