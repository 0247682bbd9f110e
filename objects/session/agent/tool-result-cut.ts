// Long tool results are cut for the model's context (head and tail, with a marker); the log keeps them whole.

/** The longest tool result the model reads whole, in characters. */
export const MAX_TOOL_RESULT_CONTEXT_CHARS = 24_000;
/** Share of the kept characters taken from the start (the rest from the end). */
const HEAD_SHARE = 0.6;

/** The text the model reads for a tool result: whole when short, else head, a marker, and tail. */
export function cutToolResult(output: string, toolCallId: string, limit = MAX_TOOL_RESULT_CONTEXT_CHARS): string {
  if (output.length <= limit) return output;
  const head = Math.floor(limit * HEAD_SHARE);
  const tail = limit - head;
  const left = output.length - head - tail;
  const marker =
    `\n\n[… ${left} of ${output.length} characters left out here (tool call ${toolCallId}); the whole output is ` +
    "stored in the session. To read the part left out, run the command again narrowed to it (e.g. head, tail, " +
    "sed -n, grep) or write it to a file in the workspace and read that in pieces …]\n\n";
  return `${output.slice(0, head)}${marker}${output.slice(output.length - tail)}`;
}
