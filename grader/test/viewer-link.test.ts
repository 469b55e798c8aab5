// A failed check's link into the site's message viewer: decodeForReport() keeps each message's
// bytes, the report turns each evidence item's bytes into docs/viewer.md#hex=…&lesson=…, and
// the text report prints it after the item, as an address on the local site.
import { encodeAttribute, encodeMessages, NLMSG } from 'netlink-lab/client';
import { describe, expect, it } from 'vitest';
import { decodeForReport } from '../src/decode-report.js';
import { hintUrl, sitePath } from '../src/report/hint-link.js';
import { formatCheck } from '../src/report/human.js';
import type { CheckReport } from '../src/report/types.js';
import { evidenceHex, viewerLinks, withoutBytes } from '../src/report/viewer-link.js';
import { schemaErrors } from './report-schema.js';

const NAMES = { types: { 0x10: 'SET' }, attributes: { 1: 'KEY' } };
// Two messages in one datagram; the first key's odd length leaves padding, which belongs to it.
const datagram = encodeMessages([
  { type: 0x10, flags: 5, seq: 1, payload: encodeAttribute(1, Buffer.from('odd\0\0')) },
  { type: NLMSG.ERROR, seq: 1, payload: Buffer.alloc(20) },
]);

describe('the viewer link of a report', () => {
  it('keeps every message\'s bytes, header to padding, so the datagram can be put together again', () => {
    const { messages } = decodeForReport(datagram, NAMES);
    expect(messages.map((m) => m.bytes).join('')).toBe(datagram.toString('hex'));
    expect(messages[0]!.bytes.length / 2 % 4).toBe(0);
  });

  it('links each evidence item that holds messages, in order, and nothing for the others', () => {
    const sent = decodeForReport(datagram.subarray(0, 28), NAMES).messages;
    const received = decodeForReport(datagram.subarray(28)).messages;
    const links = viewerLinks([{ sent }, 'no bytes here', { received, note: 'x' }], 'lesson-6');
    expect(links).toEqual([
      { message: 0, link: `docs/viewer.md#hex=${datagram.subarray(0, 28).toString('hex')}&lesson=lesson-6` },
      { message: 2, link: `docs/viewer.md#hex=${datagram.subarray(28).toString('hex')}&lesson=lesson-6` },
    ]);
    expect(sitePath(links[0]!.link, 'zh-CN')).toEqual({ page: '/zh-CN/viewer', anchor: `#hex=${datagram.subarray(0, 28).toString('hex')}&lesson=lesson-6` });
  });

  it('stops adding messages past 4 KiB, at a message boundary, but always links one', () => {
    const big = decodeForReport(encodeMessages(Array.from({ length: 40 }, (_, seq) => ({ type: 0x10, seq, payload: Buffer.alloc(200) })))).messages;
    const hex = evidenceHex(big);
    expect(hex.length / 2).toBeLessThanOrEqual(4096);
    expect(hex.length / 2).toBeGreaterThan(4096 - 216);
    expect((hex.length / 2) % 216).toBe(0);
    const huge = decodeForReport(encodeMessages([{ type: 0x10, payload: Buffer.alloc(5000) }])).messages;
    expect(evidenceHex(huge).length / 2).toBe(5016);
  });

  it('prints the link after the message in the text report, without the bytes in the message', () => {
    const { messages } = decodeForReport(datagram, NAMES);
    const c: CheckReport = {
      id: 'set-get-del', title: 'Round trip', side: 'kernel', points: 3, status: 'fail', message: 'wrong errno',
      evidence: { messages: [{ received: messages }] }, hint: 'h', hintLink: 'docs/lessons/lesson-6.md#check-set-get-del',
      viewer: viewerLinks([{ received: messages }], 'lesson-6'), notes: [], durationMs: 1, runs: [],
    };
    const out = formatCheck(c, false, (l) => hintUrl(l, { kind: 'server', origin: 'http://localhost:5173' })).replace(/\x1b\[[0-9;]*m/g, '');
    const lines = out.split('\n');
    const view = lines.findIndex((l) => l.trim().startsWith('viewer:'));
    expect(lines[view]!.trim()).toBe(`viewer:   http://localhost:5173/viewer#hex=${datagram.toString('hex')}&lesson=lesson-6`);
    expect(lines.slice(0, view).some((l) => l.includes('message:'))).toBe(true);
    expect(out).not.toContain('"bytes"');
    expect(withoutBytes({ received: messages })).toEqual({ received: messages.map(({ bytes: _b, ...m }) => m) });
  });

  it('is part of the JSON report\'s schema', () => {
    const check: CheckReport = { id: 'c', title: 't', side: 'kernel', points: 1, status: 'fail', hint: 'h', hintLink: 'docs/lessons/lesson-6.md#check-c', viewer: [{ message: 0, link: 'docs/viewer.md#hex=00&lesson=lesson-6' }], notes: [], durationMs: 1, runs: [] };
    const report = { lesson: 'lesson-6', title: 'Attributes', target: 'solution', kernel: 'k', accel: 'tcg', checks: [check], score: 0, total: 1, health: [], timings: { bootMs: 0, gradeMs: 0 } };
    const errors = schemaErrors(report as never).filter((e) => /viewer/.test(e));
    expect(errors).toEqual([]);
    expect(schemaErrors({ ...report, checks: [{ ...check, viewer: [{ message: 'x' }] }] } as never).some((e) => /viewer/.test(e))).toBe(true);
  });
});
