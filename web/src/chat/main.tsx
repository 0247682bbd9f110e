// Entry of the chat page.
import { render } from "preact";
import { registerServiceWorker } from "../push-client";
import { App } from "./app";

const root = document.getElementById("app");
if (root) render(<App />, root);
// The service worker shows push notifications; a browser without one simply gets none.
void registerServiceWorker().catch(() => undefined);
