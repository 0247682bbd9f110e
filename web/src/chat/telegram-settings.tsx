// The Telegram page: a pairing code to send to the bot, and the Telegram accounts linked to me (unlink each).

import { useEffect, useState } from "preact/hooks";
import type { PairingCodeBody, TelegramLink, TelegramLinksBody } from "../../../protocol/channels";
import { ApiError, api } from "../api";

export function TelegramSettings() {
  const [links, setLinks] = useState<TelegramLink[] | null>(null);
  const [code, setCode] = useState<PairingCodeBody | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const load = async () => {
    try {
      setLinks((await api<TelegramLinksBody>("/api/channels/telegram/links")).links);
    } catch (e) {
      setStatus(e instanceof ApiError && e.status === 404 ? "Telegram is not set up on this server." : String(e));
    }
  };
  useEffect(() => void load(), []);
  return (
    <main class="main settings">
      <h2>Telegram</h2>
      <section>
        <p>
          Link a Telegram account: get a code, then send it to the bot as <code>/pair CODE</code> within ten minutes.
        </p>
        <button
          type="button"
          class="primary"
          onClick={async () => {
            try {
              setCode(await api<PairingCodeBody>("/api/channels/telegram/pairing", { method: "POST" }));
            } catch (e) {
              setStatus(e instanceof Error ? e.message : String(e));
            }
          }}
        >
          Get a pairing code
        </button>
        {code ? (
          <p role="status">
            Send <code class="pairing-code">/pair {code.code}</code> to the bot before{" "}
            {new Date(code.expiresAt).toLocaleTimeString()}.
          </p>
        ) : null}
        {status ? <p role="alert">{status}</p> : null}
      </section>
      <section>
        <h3>Linked accounts</h3>
        {links?.length === 0 ? <p>None yet.</p> : null}
        <ul class="linked-accounts">
          {(links ?? []).map((link) => (
            <li key={link.telegramUserId}>
              {link.username ? `@${link.username}` : `Telegram user ${link.telegramUserId}`}, linked{" "}
              {new Date(link.linkedAt).toLocaleString()}{" "}
              <button
                type="button"
                onClick={async () => {
                  await api(`/api/channels/telegram/links/${link.telegramUserId}`, { method: "DELETE" });
                  await load();
                }}
              >
                Unlink
              </button>
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}
