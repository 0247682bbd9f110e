// edgeclaw's service worker: keeps the static shell (the page, its hashed assets, icons) for fast and offline
// starts. It never caches /api, /admin/api, /v1, /dev, /cdn-cgi or any private or non-static response.
// Later features (Web Push) add their own listeners to this same file.

const SHELL_CACHE = "edgeclaw-shell-v1";
/** The shell fetched at install; hashed assets are added as the page loads them. */
const SHELL = ["/", "/manifest.webmanifest", "/icon-192.png", "/icon-512.png"];
/** Paths that are never served from or stored in the cache. */
const NEVER = [/^\/api(\/|$)/, /^\/admin\/api(\/|$)/, /^\/v1(\/|$)/, /^\/dev(\/|$)/, /^\/cdn-cgi(\/|$)/];

/** Whether a request may be answered from, and stored in, the shell cache. */
function isShellRequest(url, method) {
  if (method !== "GET" || url.origin !== self.location.origin) return false;
  if (NEVER.some((pattern) => pattern.test(url.pathname))) return false;
  return (
    url.pathname === "/" ||
    url.pathname === "/admin" ||
    SHELL.includes(url.pathname) ||
    url.pathname.startsWith("/assets/")
  );
}

/** Whether a response is static and shareable: a plain 200 that is not marked private or no-store. */
function isCacheable(response) {
  const control = response.headers.get("cache-control") ?? "";
  return response.ok && response.status === 200 && response.type === "basic" && !/private|no-store/i.test(control);
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => cache.addAll(SHELL))
      .catch(() => undefined)
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== SHELL_CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (!isShellRequest(url, event.request.method)) return;
  // Hashed assets never change: cache first. The page and other shell files: network first, cache offline.
  const hashed = url.pathname.startsWith("/assets/");
  event.respondWith(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      const key = event.request.mode === "navigate" ? "/" : event.request;
      if (hashed) {
        const hit = await cache.match(event.request);
        if (hit) return hit;
      }
      try {
        const response = await fetch(event.request);
        if (isCacheable(response) && (hashed || event.request.mode !== "navigate" || url.pathname === "/"))
          await cache.put(key, response.clone());
        return response;
      } catch (error) {
        const hit = await cache.match(key);
        if (hit) return hit;
        throw error;
      }
    })(),
  );
});
