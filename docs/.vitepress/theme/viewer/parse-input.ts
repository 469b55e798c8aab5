// What a learner pastes into the message viewer, as bytes: plain hex (spaces, newlines, 0x,
// \x, commas and colons allowed), a viewer link or the `viewer:` lines of a text grade report
// (their #hex=…), or a JSON grade report (the `"bytes"` of each message it decoded).

export type ParsedInput = { bytes: Uint8Array } | { error: string; at?: number };

/** Reasons in the page's language. */
export interface InputWords {
  odd: string;
  notHex: (char: string, at: number) => string;
}

export const INPUT_ENGLISH: InputWords = {
  odd: 'an odd number of hex digits: every byte takes two',
  notHex: (char, at) => `“${char}” at character ${at + 1} is not a hex digit`,
};

const fromHex = (hex: string): Uint8Array => Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16));

export function parseInput(text: string, words: InputWords = INPUT_ENGLISH): ParsedInput {
  const links = [...text.matchAll(/[#&]hex=([0-9a-fA-F]+)/g)].map((m) => m[1]!);
  const reported = [...text.matchAll(/"bytes":\s*"([0-9a-fA-F]*)"/g)].map((m) => m[1]!);
  const found = links.length ? links : reported;
  if (found.length) return found.some((h) => h.length % 2) ? { error: words.odd } : { bytes: fromHex(found.join('')) };
  const stripped = text.replace(/0x|\\x/gi, (m) => ' '.repeat(m.length));
  const bad = /[^0-9a-fA-F\s,:]/.exec(stripped);
  if (bad) return { error: words.notHex(bad[0], bad.index), at: bad.index };
  const hex = stripped.replace(/[\s,:]/g, '');
  return hex.length % 2 ? { error: words.odd } : { bytes: fromHex(hex) };
}
