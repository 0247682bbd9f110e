// The message box: Enter sends (never while an input method is composing), Shift+Enter breaks the line, Stop while a turn runs.

import { useRef, useState } from "preact/hooks";

const COMMANDS = ["/help", "/model NAME", "/new", "/usage", "/cancel", "/compact"];

export function Composer({
  running,
  onSend,
  onStop,
}: {
  running: boolean;
  onSend(text: string): void;
  onStop(): void;
}) {
  const [text, setText] = useState("");
  // Some browsers send the Enter that ends a composition after compositionend; keyCode 229 marks it too.
  const composing = useRef(false);
  const send = () => {
    const value = text.trim();
    if (!value) return;
    onSend(value);
    setText("");
  };
  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <label for="message" class="sr-only">
        Message
      </label>
      <textarea
        id="message"
        value={text}
        placeholder="Message edgeclaw (Enter to send, Shift+Enter for a new line)"
        onInput={(e) => setText(e.currentTarget.value)}
        onCompositionStart={() => {
          composing.current = true;
        }}
        onCompositionEnd={() => {
          composing.current = false;
        }}
        onKeyDown={(e) => {
          if (e.isComposing || composing.current || e.keyCode === 229) return;
          if (e.key === "Enter" && !e.shiftKey) {
            e.preventDefault();
            send();
          } else if (e.key === "Escape" && running) onStop();
        }}
      />
      <div class="actions">
        <button type="submit" class="primary">
          Send
        </button>
        {running ? (
          <button type="button" class="danger" onClick={onStop}>
            Stop
          </button>
        ) : null}
      </div>
      <p class="hint">Commands: {COMMANDS.join(" · ")}</p>
    </form>
  );
}
