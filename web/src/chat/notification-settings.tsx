// The notification settings page: enable Web Push on this device, choose the kinds and when, remove devices.

import { useEffect, useState } from "preact/hooks";
import { PUSH_KINDS, type PushKind, type PushPreferences, type PushSubscriptionInfo } from "../../../protocol/push";
import { deleteSubscription, enablePush, getPreferences, listSubscriptions, setPreferences } from "../push-client";

const LABELS: Record<PushKind, string> = {
  approval: "A command waits for my approval",
  task_result: "A scheduled task finished",
  turn_finished: "An answer finished while I was away",
  budget: "Budget warnings (80 % and 100 %)",
  failure: "A turn failed (model or sandbox)",
};

export function NotificationSettings() {
  const [prefs, setPrefs] = useState<PushPreferences | null>(null);
  const [devices, setDevices] = useState<PushSubscriptionInfo[]>([]);
  const [deviceName, setDeviceName] = useState(() => navigator.platform || "this browser");
  const [status, setStatus] = useState<string | null>(null);
  const load = async () => {
    setPrefs(await getPreferences());
    setDevices((await listSubscriptions()).subscriptions);
  };
  useEffect(() => void load().catch((e: unknown) => setStatus(String(e))), []);
  // The change shows at once; the server's answer (the stored preferences) then replaces it.
  const save = async (next: PushPreferences) => {
    setPrefs(next);
    setPrefs(await setPreferences(next).catch(() => getPreferences()));
  };
  return (
    <main class="main settings">
      <h2>Notifications</h2>
      <section>
        <label for="device-name">This device's name</label>
        <input id="device-name" value={deviceName} onInput={(e) => setDeviceName(e.currentTarget.value)} />
        <button
          type="button"
          class="primary"
          onClick={async () => {
            try {
              await enablePush(deviceName);
              setStatus("Notifications are on for this device.");
              await load();
            } catch (e) {
              setStatus(`Could not enable notifications: ${e instanceof Error ? e.message : String(e)}`);
            }
          }}
        >
          Enable on this device
        </button>
        {status ? <p role="status">{status}</p> : null}
      </section>
      {prefs ? (
        <section>
          <h3>Notify me when</h3>
          {PUSH_KINDS.map((kind) => (
            <label key={kind} class="check">
              <input
                type="checkbox"
                checked={prefs.kinds[kind]}
                onChange={(e) => void save({ ...prefs, kinds: { ...prefs.kinds, [kind]: e.currentTarget.checked } })}
              />
              {LABELS[kind]}
            </label>
          ))}
          <label for="push-when">Send</label>
          <select
            id="push-when"
            value={prefs.when}
            onChange={(e) => void save({ ...prefs, when: e.currentTarget.value === "always" ? "always" : "away" })}
          >
            <option value="away">only when none of my devices has the session open</option>
            <option value="always">always</option>
          </select>
        </section>
      ) : null}
      <section>
        <h3>Devices</h3>
        <ul aria-label="Notified devices">
          {devices.map((d) => (
            <li key={d.id}>
              {d.deviceName}
              {d.lastPushAt ? ` · last push ${new Date(d.lastPushAt).toLocaleString()}` : ""}
              <button
                type="button"
                aria-label={`Remove ${d.deviceName}`}
                onClick={async () => {
                  await deleteSubscription(d.id);
                  await load();
                }}
              >
                ✕
              </button>
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}
