// The message box: Enter sends (never while an input method is composing), Shift+Enter breaks the line, Stop
// while a turn runs; files join by paste, drag-and-drop or the picker, and upload at once with progress.

import { useRef, useState } from "preact/hooks";
import { ApiError } from "../api";
import { previewOf, uploadFile } from "../uploads";
import { type PendingFile, PendingFiles } from "./attachments";

const COMMANDS = ["/help", "/model NAME", "/new", "/usage", "/cancel", "/compact"];

export function Composer({
  sessionId,
  running,
  onSend,
  onStop,
}: {
  sessionId: string;
  running: boolean;
  onSend(text: string, attachments: string[]): void;
  onStop(): void;
}) {
  const [text, setText] = useState("");
  const [files, setFiles] = useState<PendingFile[]>([]);
  const [dragging, setDragging] = useState(false);
  const picker = useRef<HTMLInputElement>(null);
  // Some browsers send the Enter that ends a composition after compositionend; keyCode 229 marks it too.
  const composing = useRef(false);
  const update = (key: string, change: Partial<PendingFile>) =>
    setFiles((all) => all.map((f) => (f.key === key ? { ...f, ...change } : f)));

  const attach = (list: Iterable<File>) => {
    for (const file of list) {
      const key = `${Date.now()}-${crypto.randomUUID().slice(0, 8)}`;
      const name = file.name || "pasted.png";
      setFiles((all) => [
        ...all,
        { key, name, size: file.size, preview: null, progress: 0, attachment: null, error: null },
      ]);
      void previewOf(file).then((preview) => update(key, { preview }));
      uploadFile(sessionId, file, (progress) => update(key, { progress })).then(
        (attachment) => update(key, { attachment, name: attachment.name }),
        (error: unknown) => update(key, { error: error instanceof ApiError ? error.message : "the upload failed" }),
      );
    }
  };

  const uploading = files.some((f) => !f.attachment && !f.error);
  const send = () => {
    const value = text.trim();
    const ids = files.flatMap((f) => (f.attachment ? [f.attachment.id] : []));
    if ((!value && ids.length === 0) || uploading) return;
    onSend(value, ids);
    setText("");
    setFiles([]);
  };
  return (
    <form
      class={`composer${dragging ? " dragging" : ""}`}
      aria-label="Composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
      onDragOver={(e) => {
        if (!e.dataTransfer?.types.includes("Files")) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        setDragging(false);
        if (!e.dataTransfer?.files.length) return;
        e.preventDefault();
        attach(e.dataTransfer.files);
      }}
    >
      <PendingFiles files={files} remove={(key) => setFiles((all) => all.filter((f) => f.key !== key))} />
      <label for="message" class="sr-only">
        Message
      </label>
      <textarea
        id="message"
        value={text}
        placeholder="Message edgeclaw (Enter to send, Shift+Enter for a new line; paste or drop files)"
        onInput={(e) => setText(e.currentTarget.value)}
        onPaste={(e) => {
          const pasted = e.clipboardData?.files;
          if (!pasted || pasted.length === 0) return;
          e.preventDefault();
          attach(pasted);
        }}
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
        <button type="submit" class="primary" disabled={uploading}>
          Send
        </button>
        <button type="button" aria-label="Attach files" onClick={() => picker.current?.click()}>
          Attach
        </button>
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          aria-label="Choose files"
          onChange={(e) => {
            const chosen = e.currentTarget.files;
            if (chosen) attach([...chosen]);
            e.currentTarget.value = "";
          }}
        />
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
