// Entry of the chat page: the saved theme, the app, and the service worker that makes it installable.
import { render } from "preact";
import { applyTheme, savedTheme } from "../theme";
import { App } from "./app";

applyTheme(savedTheme());
const root = document.getElementById("app");
if (root) render(<App />, root);
if ("serviceWorker" in navigator && location.protocol !== "file:") {
  void navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => undefined);
}
