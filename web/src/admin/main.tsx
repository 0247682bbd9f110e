// Entry of the admin page, in the theme chosen on the chat page.
import { render } from "preact";
import { applyTheme, savedTheme } from "../theme";
import { AdminApp } from "./admin-app";

applyTheme(savedTheme());
const root = document.getElementById("app");
if (root) render(<AdminApp />, root);
