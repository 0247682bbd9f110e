// Bot commands a Telegram user types (`/pair CODE`, `/session 2` …), parsed from a message's text.

export type BotCommand =
  | { name: "pair"; code: string }
  | { name: "unpair" }
  | { name: "session"; pick: number | null }
  | { name: "new"; title: string | null }
  | { name: "cancel" }
  | { name: "start" }
  | { name: "help" }
  /** A command of the session itself (`/model`, `/usage`, `/think`, `/reset`): sent on as a message; its notice is the answer. */
  | { name: "session_command"; topic: string }
  | { name: "unknown"; text: string };

/** Session commands the bot passes on; each answers at once with a `notice` of this topic. */
const SESSION_COMMANDS = new Set(["model", "usage", "think", "reset"]);

/** The command in `text`, or null when it is an ordinary message. `/cmd@botname` is accepted. */
export function parseCommand(text: string): BotCommand | null {
  const match = /^\/([a-z_]+)(?:@\w+)?(?:\s+([\s\S]*))?$/i.exec(text.trim());
  if (!match) return null;
  const name = (match[1] ?? "").toLowerCase();
  const arg = (match[2] ?? "").trim();
  switch (name) {
    case "pair":
      return { name: "pair", code: arg.toUpperCase() };
    case "unpair":
    case "cancel":
    case "start":
    case "help":
      return { name };
    case "session":
    case "sessions": {
      const pick = /^\d{1,3}$/.test(arg) ? Number(arg) : null;
      return { name: "session", pick };
    }
    case "new":
      return { name: "new", title: arg ? arg.slice(0, 200) : null };
    default:
      return SESSION_COMMANDS.has(name)
        ? { name: "session_command", topic: name }
        : { name: "unknown", text: `/${name}` };
  }
}

/** What /help and /start say to a linked user. */
export const HELP_TEXT = [
  "Send a message and edgeclaw answers here; the same conversation is live in the web client.",
  "/session: list your sessions; /session N: continue session N",
  "/new [title]: start a new session",
  "/cancel: stop the running answer",
  "/model, /usage, /think, /reset: as in the web client",
  "/unpair: unlink this Telegram account",
].join("\n");

/** The one short refusal an unlinked sender gets. */
export const UNPAIRED_TEXT =
  "This bot answers linked accounts only. Ask for a code in edgeclaw's web client (Telegram page), then send /pair CODE.";

/** The refusal for anything but a private chat. */
export const GROUPS_TEXT = "Sorry, edgeclaw only talks in private chats.";
