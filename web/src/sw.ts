// The service worker the client installs at /sw.js (scope /): Web Push notifications and their actions.
import { installPushHandlers, type ServiceWorkerScope } from "./sw-push";

// `self` here is the ServiceWorkerGlobalScope; the web tsconfig types it as a Window (DOM library), hence the cast.
installPushHandlers(self as unknown as ServiceWorkerScope);
