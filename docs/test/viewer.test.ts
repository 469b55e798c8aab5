// The message viewer (/viewer) in Chromium, fed real messages: an nlctrl GETFAMILY reply and
// error ACKs with extended-ACK TLVs captured from the host kernel as the test starts, and a
// lesson-6 exchange recorded from a real grade in the lab guest (fixtures/). What the page
// must show is taken from the client's own decoders in Node, not written down here.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CTRL_ATTR,
  CTRL_CMD,
  ctrlAttributes,
  decodeErrorMessage,
  decodeGenlMessage,
  decodeMessages,
  encodeAttribute,
  encodeGenlHeader,
  encodeMessage,
  errnoCode,
  GENL_ID_CTRL,
  NETLINK,
  NLM_F,
  NLMSG,
  openSocket,
  type AttributeValues,
} from '../../client/src/index.ts';
import { sitePath } from '../../grader/src/report/hint-link.ts';
import { startSiteBrowser, type SiteBrowser } from './browser.ts';
import { repoRoot } from './helpers.ts';

const SHOTS = join(repoRoot, 'test-artifacts/screenshots');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** One request to the host's nlctrl and every datagram it answers with, as bytes. */
async function exchange(attrs: Buffer[], capAck = true): Promise<Buffer> {
  const sock = openSocket(NETLINK.GENERIC, { capAck });
  try {
    sock.sendBytes(encodeMessage({ type: GENL_ID_CTRL, flags: NLM_F.REQUEST | NLM_F.ACK, seq: 1, payload: [encodeGenlHeader(CTRL_CMD.GETFAMILY), ...attrs] }));
    const got: Buffer[] = [];
    // The ACK (or error) is the last datagram.
    for (;;) {
      const d = await sock.receive({ timeout: 2000 });
      got.push(d.data);
      if (decodeMessages(d.data).some((m) => m.type === NLMSG.ERROR)) return Buffer.concat(got);
    }
  } finally {
    sock.close();
  }
}

const name = (s: string): Buffer => encodeAttribute(CTRL_ATTR.FAMILY_NAME, Buffer.from(`${s}\0`));
let site: SiteBrowser;
let family: Buffer; // GETFAMILY nlctrl: the reply, then the ACK
let tooLong: Buffer; // a name longer than the policy allows: EINVAL, message, offset, policy; not capped
let shortId: Buffer; // a 1-byte FAMILY_ID: a policy failure, capped

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [family, tooLong, shortId, site] = await Promise.all([
    exchange([name('nlctrl')]),
    exchange([name('x'.repeat(40))], false),
    exchange([encodeAttribute(CTRL_ATTR.FAMILY_ID, Buffer.from([1]))]),
    startSiteBrowser(),
  ]);
});
afterAll(async () => site?.close());

/** The viewer at #hex=…, with the page's own errors collected. */
async function view(bytes: Uint8Array | string, lesson = '', prefix = ''): Promise<{ page: Page; errors: string[] }> {
  const page = await site.open(`${prefix}/viewer`);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
  await page.evaluate((h) => (location.hash = h), `hex=${typeof bytes === 'string' ? bytes : hex(bytes)}${lesson ? `&lesson=${lesson}` : ''}`);
  await page.locator('.nl-viewer-message').first().waitFor();
  return { page, errors };
}

/** The value shown for `field` in the n-th message (first match), and its offset. */
async function value(page: Page, n: number, field: string, nth = 0): Promise<string> {
  const row = page.locator('.nl-viewer-message').nth(n).locator(`tr[data-field="${field}"]`).nth(nth);
  return (await row.locator('.nl-viewer-value').textContent())?.trim() ?? '';
}

describe('the message viewer', () => {
  it('decodes an nlctrl GETFAMILY reply from the host kernel: header, flags, genl header, nested attributes', async () => {
    const [reply, ack] = decodeMessages(family);
    const v = decodeGenlMessage(reply!, ctrlAttributes);
    const { page, errors } = await view(family);
    try {
      await expect.poll(() => page.locator('.nl-viewer-message').count()).toBe(2);
      expect(await page.locator('.nl-viewer-title').first().textContent()).toContain('GENL_ID_CTRL (nlctrl) · CTRL_CMD_NEWFAMILY');
      expect(await value(page, 0, 'nlmsg_len')).toBe(String(reply!.payload.length + 16));
      expect(await value(page, 0, 'nlmsg_seq')).toBe(String(reply!.seq));
      expect(await value(page, 0, 'genlmsghdr.cmd')).toBe(`${v.cmd} CTRL_CMD_NEWFAMILY`);
      expect(await value(page, 0, 'FAMILY_NAME')).toBe(JSON.stringify(v.attributes.FAMILY_NAME));
      expect(await value(page, 0, 'FAMILY_ID')).toContain(String(v.attributes.FAMILY_ID));
      const ops = v.attributes.OPS as AttributeValues[];
      expect(await value(page, 0, 'OPS')).toContain(String(ops.length));
      // Nested array entries, each with its own attributes, one level deeper.
      expect(await value(page, 0, 'ID')).toContain(String(ops[0]!.ID));
      expect(await page.locator('.nl-viewer-message').first().locator('tr[data-field="ID"]').first().getAttribute('data-depth')).toBe('2');
      const groups = v.attributes.MCAST_GROUPS as AttributeValues[];
      expect(await value(page, 0, 'NAME')).toBe(JSON.stringify(groups[0]!.NAME));
      // The ACK: flags by name, error 0.
      expect(await value(page, 1, 'nlmsg_flags')).toContain(ack!.flags & NLM_F.CAPPED ? 'CAPPED' : '0x');
      expect(await value(page, 1, 'error')).toMatch(/^0 ACK/);
      await page.screenshot({ path: join(SHOTS, 'viewer-getfamily.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('shows an error ACK with its extended ACK: errno, message, the offset and the attribute it points at, the policy', async () => {
    const [m] = decodeMessages(tooLong);
    const r = decodeErrorMessage(m!);
    expect(r.requestPayload, 'the ACK repeats the request (capAck off)').toBeDefined();
    const { page, errors } = await view(tooLong);
    try {
      expect(await value(page, 0, 'error')).toBe(`-${r.errno} ${errnoCode(r.errno)}`);
      expect(await value(page, 0, 'NLMSGERR_ATTR_MSG')).toBe(JSON.stringify(r.extack.message));
      expect(await value(page, 0, 'NLMSGERR_ATTR_OFFS')).toBe(`${r.extack.offset} (points at FAMILY_NAME in the request)`);
      const policy = await value(page, 0, 'NLMSGERR_ATTR_POLICY');
      expect(policy).toContain(`type ${r.extack.policy!.type}`);
      expect(policy).toContain(`max length ${r.extack.policy!.maxLength}`);
      expect(await value(page, 0, 'TYPE')).toMatch(new RegExp(` ${r.extack.policy!.type}$`));
      expect(await value(page, 0, 'MAX_LENGTH')).toMatch(new RegExp(`^${r.extack.policy!.maxLength}\\b`));
      // The request the ACK repeats, decoded like any request: its header and its attribute.
      expect(await value(page, 0, 'nlmsg_type', 1)).toContain('GENL_ID_CTRL (nlctrl)');
      expect(await value(page, 0, 'FAMILY_NAME')).toBe(JSON.stringify('x'.repeat(40)));
      await page.screenshot({ path: join(SHOTS, 'viewer-extack.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('shows a capped policy failure: the request left out, the TLVs still decoded', async () => {
    const r = decodeErrorMessage(decodeMessages(shortId)[0]!);
    const { page } = await view(shortId);
    try {
      expect(await value(page, 0, 'nlmsg_flags')).toContain('CAPPED|ACK_TLVS');
      expect(await value(page, 0, 'error')).toBe(`-${r.errno} ${errnoCode(r.errno)}`);
      expect(await value(page, 0, 'payload')).toContain('NLM_F_CAPPED');
      expect(await value(page, 0, 'NLMSGERR_ATTR_OFFS')).toBe(String(r.extack.offset));
      expect(await value(page, 0, 'NLMSGERR_ATTR_POLICY')).toContain(`type ${r.extack.policy!.type}`);
    } finally {
      await page.close();
    }
  });

  it("opens a grade report's link (lesson 6, recorded in the lab guest) with the lesson's names", async () => {
    const fixture = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/grade-lesson-6-viewer.json'), 'utf8')) as { lesson: string; viewer: { message: number; link: string }[] };
    const received = fixture.viewer.find((v) => v.message === 1)!;
    const path = sitePath(received.link)!;
    const bytes = Buffer.from(new URLSearchParams(path.anchor.slice(1)).get('hex')!, 'hex');
    const msgs = decodeMessages(bytes);
    const failed = msgs.findIndex((m) => m.type === NLMSG.ERROR && decodeErrorMessage(m).errno !== 0);
    const page = await site.open(path.page + path.anchor);
    try {
      await page.locator('.nl-viewer-message').first().waitFor();
      expect(await page.locator('#nl-viewer-lesson').inputValue()).toBe(fixture.lesson);
      await expect.poll(() => page.locator('.nl-viewer-message').count()).toBe(msgs.length);
      // The module's GET answer: lesson 6's message type and attribute names.
      const reply = msgs.findIndex((m) => m.type === 0x13);
      expect(await page.locator('.nl-viewer-title').nth(reply).textContent()).toContain('VALUE');
      expect(await value(page, reply, 'KEY')).toBe('"color"');
      // The wrong errno, and the GET it answers, with its KEY.
      const r = decodeErrorMessage(msgs[failed]!);
      expect(await value(page, failed, 'error')).toBe(`-${r.errno} ${errnoCode(r.errno)}`);
      expect(await value(page, failed, 'nlmsg_type', 1)).toContain('GET');
      expect(await value(page, failed, 'KEY')).toBe('"color"');
      await page.locator('.nl-viewer-message').nth(failed).scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, 'viewer-lesson-6.png') });
      // Without the lesson, 0x13 has no name.
      await page.locator('#nl-viewer-lesson').selectOption('');
      expect(await page.locator('.nl-viewer-title').nth(reply).textContent()).not.toContain('VALUE');
    } finally {
      await page.close();
    }
  });

  it('takes pasted report lines and hex with spaces, and says what is wrong with bad input', async () => {
    const page = await site.open('/viewer');
    try {
      const box = page.locator('#nl-viewer-input');
      await box.fill(`      message:  {"len": 36}\n      viewer:   http://localhost:5173/viewer#hex=${hex(family)}&lesson=lesson-8`);
      await expect.poll(() => page.locator('.nl-viewer-message').count()).toBe(decodeMessages(family).length);
      await box.fill(hex(shortId).replace(/(..)/g, '$1 ').replace(/(.{48})/g, '$1\n'));
      await expect.poll(() => page.locator('.nl-viewer-message').count()).toBe(1);
      expect(page.url()).toContain(`#hex=${hex(shortId)}`);
      await box.fill('24 00 zz');
      await expect.poll(() => page.locator('.nl-viewer-error').textContent()).toBe('“z” at character 7 is not a hex digit');
      // The first 20 bytes of a longer message: what is wrong, where.
      await box.fill(hex(shortId).slice(0, 40));
      await expect.poll(async () => (await page.locator('.nl-viewer-error').textContent()) ?? '').toBe(`From offset 0 on, the bytes are not a message: nlmsg_len ${shortId.readUInt32LE(0)} exceeds the 20 bytes left`);
      await page.locator('.nl-viewer-example').click();
      expect(await page.locator('.nl-viewer-title').first().textContent()).toContain('CTRL_CMD_GETFAMILY');
    } finally {
      await page.close();
    }
  });

  it('fits a phone: the tables become cards, nothing scrolls sideways', async () => {
    const page = await site.open(`/viewer#hex=${hex(tooLong)}`, { width: 390, height: 844 });
    try {
      await page.locator('.nl-viewer-message').first().waitFor();
      const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(wide).toBeLessThanOrEqual(0);
      await page.locator('.nl-viewer-message').first().screenshot({ path: join(SHOTS, 'viewer-phone.png') });
    } finally {
      await page.close();
    }
  });

  it("a lesson's byte table links here, and the viewer shows the same message", async () => {
    const page = await site.open('/lessons/lesson-8');
    try {
      const table = page.locator('.nlab-bytes').first();
      await table.scrollIntoViewIfNeeded();
      await table.screenshot({ path: join(SHOTS, 'bytes-lesson-8.png') });
      const hexOfTable = await table.getAttribute('data-hex');
      await table.locator('a[href*="/viewer#hex="]').click();
      await page.locator('.nl-viewer-message').first().waitFor();
      expect(new URLSearchParams(new URL(page.url()).hash.slice(1)).get('hex')).toBe(hexOfTable);
      expect(await page.locator('#nl-viewer-lesson').inputValue()).toBe('lesson-8');
      expect(await value(page, 0, 'KEY')).toBe('"color"');
      expect(await value(page, 0, 'genlmsghdr.cmd')).toBe('1 SET');
    } finally {
      await page.close();
    }
  });

  it('speaks Chinese on /zh-CN/viewer', async () => {
    const { page, errors } = await view(tooLong, '', '/zh-CN');
    try {
      await expect.poll(() => page.locator('.nl-viewer-message th').first().textContent()).toBe('偏移');
      expect(await value(page, 0, 'NLMSGERR_ATTR_OFFS')).toContain('指向请求中的 FAMILY_NAME');
      expect(await value(page, 0, 'NLMSGERR_ATTR_POLICY')).toContain('最大长度');
      expect(await page.locator('#nl-viewer-lesson option').nth(1).textContent()).toMatch(/^第 \d+ 课/);
      await page.screenshot({ path: join(SHOTS, 'viewer-extack-zh-CN.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
