// Adds lockfile entries for optional platform packages the package mirror here does not carry (workerd's
// macOS and Windows builds), so `npm ci` accepts the lockfile; on those platforms npm fetches them as usual.
// Run after `npm install` changes package-lock.json: `node scripts/complete-lockfile.mjs`.
import { readFileSync, writeFileSync } from "node:fs";

const PLATFORMS = {
  "@cloudflare/workerd-darwin-64": { os: ["darwin"], cpu: ["x64"] },
  "@cloudflare/workerd-darwin-arm64": { os: ["darwin"], cpu: ["arm64"] },
  "@cloudflare/workerd-windows-64": { os: ["win32"], cpu: ["x64"] },
  "@cloudflare/workerd-linux-arm64": { os: ["linux"], cpu: ["arm64"] },
};

const path = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(path, "utf8"));
let added = 0;
for (const [where, info] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(info.optionalDependencies ?? {})) {
    const platform = PLATFORMS[name];
    const nested = `${where}/node_modules/${name}`;
    if (!platform || lock.packages[nested] || lock.packages[`node_modules/${name}`]) continue;
    const key =
      where === ""
        ? `node_modules/${name}`
        : where.endsWith("/workerd") && where !== "node_modules/workerd"
          ? nested
          : `node_modules/${name}`;
    lock.packages[key] = {
      version,
      dev: true,
      license: "Apache-2.0",
      optional: true,
      ...platform,
      engines: { node: ">=16" },
    };
    added++;
  }
}
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: ${added} entries added`);
