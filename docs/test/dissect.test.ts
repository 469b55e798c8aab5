// The message viewer's dissection, without a browser: each scalar kind the client library
// decodes is worded, including lesson 14's NLA_BITFIELD32 (value and selector).
import { describe, expect, it } from 'vitest';
import { viewMessages, type ViewerFamily } from '../.vitepress/theme/viewer/dissect.ts';

/** A genl message: nlmsghdr, genlmsghdr (cmd 1), then `attrs` (already aligned). */
function genlMessage(familyId: number, attrs: Buffer): Uint8Array {
  const len = 16 + 4 + attrs.length;
  const b = Buffer.alloc(len);
  b.writeUInt32LE(len, 0);
  b.writeUInt16LE(familyId, 4);
  b.writeUInt16LE(1, 6); // NLM_F_REQUEST
  b.writeUInt32LE(7, 8);
  b[16] = 1; // cmd
  b[17] = 1; // version
  attrs.copy(b, 20);
  return b;
}

const FAMILY: ViewerFamily = { protocol: 'genl', familyName: 'nlab_kv', names: { 1: 'SET' }, attributes: { MARKS: { type: 9, kind: 'bitfield32' }, PORT: { type: 8, kind: 'be16' } } };

describe('viewMessages', () => {
  it('words a bitfield32 as its value and selector, and a be16 in host order', () => {
    const marks = Buffer.alloc(12);
    marks.writeUInt16LE(12, 0);
    marks.writeUInt16LE(9, 2);
    marks.writeUInt32LE(0x1, 4);
    marks.writeUInt32LE(0x3, 8);
    const port = Buffer.alloc(8);
    port.writeUInt16LE(6, 0);
    port.writeUInt16LE(8, 2);
    port.writeUInt16BE(4000, 4);
    const view = viewMessages(genlMessage(0x20, Buffer.concat([marks, port])), FAMILY);
    const rows = view.messages[0]!.rows;
    expect(rows.find((r) => r.field === 'MARKS')?.value).toBe('value 0x00000001 selector 0x00000003');
    expect(rows.find((r) => r.field === 'PORT')?.value).toMatch(/^4000\b/);
  });
});
