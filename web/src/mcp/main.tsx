// Entry of the MCP servers page.
import { render } from "preact";
import { McpPage } from "./mcp-page";

const root = document.getElementById("app");
if (root) render(<McpPage />, root);
