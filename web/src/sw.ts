// The service worker the client installs at /sw.js (scope /): Web Push notifications and their actions.
import { installPushHandlers, type ServiceWorkerScope } from "./sw-push";

/** What this entry needs beyond the push handlers: taking control of open pages at once. */
interface Lifecycle {
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(
    type: "install" | "activate",
    listener: (event: { waitUntil(p: Promise<unknown>): void }) => void,
  ): void;
}

// `self` here is the ServiceWorkerGlobalScope; the web tsconfig types it as a Window (DOM library), hence the cast.
const scope = self as unknown as ServiceWorkerScope & Lifecycle;
scope.addEventListener("install", (event) => event.waitUntil(scope.skipWaiting()));
scope.addEventListener("activate", (event) => event.waitUntil(scope.clients.claim()));
installPushHandlers(scope);
