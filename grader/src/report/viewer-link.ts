// A report's way into the site's message viewer: the raw bytes of the messages in a check's
// evidence (decodeForReport's `bytes`) as `docs/viewer.md#hex=…&lesson=…`, a path in the
// same form as a hint link, so hintUrl() turns it into an address on the local site.

/** Links stop adding messages past this many bytes: a terminal line, not a capture file. */
const MAX_BYTES = 4096;

/** One evidence item's link: `message` is its index in `evidence.messages`. */
export interface ViewerLink {
  message: number;
  link: string;
}

/** Whether `v` is a message as decodeForReport() describes it (it carries its bytes). */
function isReported(v: object): v is { type: number; bytes: string } {
  const o = v as Record<string, unknown>;
  return typeof o.type === 'number' && typeof o.bytes === 'string' && /^(?:[0-9a-f]{2})+$/.test(o.bytes);
}

/** The hex of every reported message inside one evidence item, in order, up to MAX_BYTES (at least one message). */
export function evidenceHex(item: unknown): string {
  const parts: string[] = [];
  let size = 0;
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') {
      if (!isReported(v)) return Object.values(v).forEach(walk);
      if (parts.length && size + v.bytes.length / 2 > MAX_BYTES) return;
      parts.push(v.bytes);
      size += v.bytes.length / 2;
    }
  };
  walk(item);
  return parts.join('');
}

/** A viewer link for each evidence item that holds message bytes. */
export function viewerLinks(messages: readonly unknown[] | undefined, lesson: string): ViewerLink[] {
  return (messages ?? []).flatMap((item, message) => {
    const hex = evidenceHex(item);
    return hex ? [{ message, link: `docs/viewer.md#hex=${hex}&lesson=${lesson}` }] : [];
  });
}

/** An evidence item as the text report prints it: the bytes are left to the viewer link. */
export function withoutBytes(item: unknown): unknown {
  if (Array.isArray(item)) return item.map(withoutBytes);
  if (item === null || typeof item !== 'object') return item;
  const { bytes: _bytes, ...rest } = item as Record<string, unknown>;
  const kept = isReported(item) ? rest : (item as Record<string, unknown>);
  return Object.fromEntries(Object.entries(kept).map(([k, v]) => [k, withoutBytes(v)]));
}
