// `npm run dev`'s local VAPID key pair: made once with node:crypto, kept in .wrangler/vapid-dev.json, passed to wrangler in the dev secret file.
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** A fresh P-256 pair in the form the VAPID_* variables take (base64url raw public point and private scalar). */
export function generateVapidKeys(subject = "mailto:dev@localhost") {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = privateKey.export({ format: "jwk" });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, "base64url"), Buffer.from(jwk.y, "base64url")]);
  return { VAPID_PUBLIC_KEY: point.toString("base64url"), VAPID_PRIVATE_KEY: jwk.d, VAPID_SUBJECT: subject };
}

/** VAPID variables for wrangler dev: none when the environment or .dev.vars has keys, else the kept local pair. */
export function devVapidVars(file = ".wrangler/vapid-dev.json") {
  const devVars = existsSync(".dev.vars") ? readFileSync(".dev.vars", "utf8") : "";
  if (process.env.VAPID_PUBLIC_KEY || /^VAPID_PUBLIC_KEY\s*=/m.test(devVars)) return {};
  let keys;
  if (existsSync(file)) keys = JSON.parse(readFileSync(file, "utf8"));
  else {
    keys = generateVapidKeys();
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(keys, null, 2), { mode: 0o600 });
  }
  return keys;
}
