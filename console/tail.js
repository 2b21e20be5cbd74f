// The live tail (`GET /quiver/v1/logs/tail`) read with fetch, since EventSource cannot send the
// signature headers: server-sent events parsed as they arrive.
import { ApiError, quiverHeaders } from "./http.js";

const TAIL_PATH = "/quiver/v1/logs/tail";

/** Opens a tail; `onEvent({event, data})` for each event. Resolves to a function that closes it. */
export async function openTail({ namespace, name, qualifier }, onEvent) {
  const query = new URLSearchParams({ function: name, namespace, ...(qualifier ? { qualifier } : {}) }).toString();
  const controller = new AbortController();
  const res = await fetch(`${TAIL_PATH}?${query}`, { headers: await quiverHeaders(TAIL_PATH, query), signal: controller.signal });
  if (!res.ok || !res.body) {
    const json = await res.json().catch(() => ({}));
    throw new ApiError(json.error?.code ?? String(res.status), json.error?.message ?? "The live tail was refused.");
  }
  void pump(res.body.getReader(), onEvent).catch(() => undefined);
  return () => controller.abort();
}

async function pump(reader, onEvent) {
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = parseEvent(block);
      if (event) onEvent(event);
    }
  }
}

function parseEvent(block) {
  let event = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) continue;
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
  }
  if (data.length === 0) return null;
  try {
    return { event, data: JSON.parse(data.join("\n")) };
  } catch {
    return null;
  }
}
