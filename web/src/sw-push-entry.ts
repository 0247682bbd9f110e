// Built to /sw-push.js (a self-contained classic script): the service worker (web/public/sw.js) imports it
// with importScripts, which installs the Web Push listeners on the worker's global scope.
import { installPushHandlers, type ServiceWorkerScope } from "./sw-push";

// `self` here is the ServiceWorkerGlobalScope; the web tsconfig types it as a Window (DOM library), hence the cast.
installPushHandlers(self as unknown as ServiceWorkerScope);
