// Byte tables for the lesson pages (`<!-- @bytes lesson-8 set -->`): a lesson's message,
// encoded at build time by the client library, then described row by row (offset, bytes,
// field, value) by the same dissector as the message viewer. A codec change changes the table;
// docs/test/byte-tables.test.ts checks every table's bytes against the encoding.
import { encodeAttributeSet, encodeGenlHeader, encodeMessage, NLM_F } from '../../../client/src/codecs.ts';
import type { Locale } from '../lessons.ts';
import { familySet, viewMessages, type ViewerFamily } from '../theme/viewer/dissect.ts';
import { pageWords } from '../theme/viewer/words.ts';
import { lessonFamily } from './lesson-families.ts';

/** A message of a lesson: its bytes and the family that names its parts. */
interface LessonMessage {
  bytes: () => Uint8Array;
  family: () => ViewerFamily | undefined;
}

const family = (lesson: string): ViewerFamily => {
  const f = lessonFamily(lesson);
  if (!f) throw new Error(`@bytes: ${lesson}'s reference client defines no family`);
  return f;
};
/** The command's number, by name, from the lesson's client. */
const command = (f: ViewerFamily, name: string): number => Number(Object.entries(f.names).find(([, n]) => n === name)?.[0]);

/**
 * The messages the pages show. Values are the ones the lesson's prose and checks use; the
 * family id (0x20) and the port (1234) stand for what the kernel assigns at run time.
 */
export const MESSAGES: Record<string, LessonMessage> = {
  // Lesson 2's client: NLAB_MSG_HELLO with NLM_F_REQUEST, its first sequence number, its port, "Hello".
  'lesson-2/hello': {
    bytes: () => encodeMessage({ type: 0x10, flags: NLM_F.REQUEST, seq: 1, pid: 1234, payload: 'Hello' }),
    family: () => ({ protocol: 'raw', names: { 0x10: 'NLAB_MSG_HELLO' }, attributes: {} }),
  },
  // Lesson 6's client: NLAB_MSG_SET (0x10) with KEY color and VALUE blue!, as `main.js --dry-run set color blue!` prints it.
  'lesson-6/set': {
    bytes: () => {
      const f = family('lesson-6');
      return encodeMessage({ type: 0x10, flags: NLM_F.REQUEST | NLM_F.ACK, seq: 1, pid: 0, payload: encodeAttributeSet(familySet(f), { KEY: 'color', VALUE: Buffer.from('blue!') }) });
    },
    family: () => family('lesson-6'),
  },
  // Lesson 8: SET color=blue! to the nlab_kv family, with the attributes of the lesson's client.
  'lesson-8/set': {
    bytes: () => {
      const f = family('lesson-8');
      const attrs = encodeAttributeSet(familySet(f), { KEY: 'color', VALUE: Buffer.from('blue!') });
      return encodeMessage({ type: 0x20, flags: NLM_F.REQUEST | NLM_F.ACK, seq: 1, payload: [encodeGenlHeader(command(f, 'SET')), attrs] });
    },
    family: () => family('lesson-8'),
  },
};

/** A message given as hex on the page (bytes a real kernel sent), described with a lesson's family. */
function fromHex(hex: string, lesson: string): LessonMessage {
  if (!/^(?:[0-9a-f]{2})+$/.test(hex)) throw new Error(`@bytes: "${hex}" is not hex`);
  return { bytes: () => Buffer.from(hex, 'hex'), family: () => family(lesson) };
}

/** The message a directive names: `lesson-8 set`, or `lesson-7 hex=3c00…` for recorded bytes. */
export function bytesOf(lesson: string, arg: string): Uint8Array {
  return resolve(lesson, arg).bytes();
}

function resolve(lesson: string, arg: string): LessonMessage {
  if (arg.startsWith('hex=')) return fromHex(arg.slice(4), lesson);
  const m = MESSAGES[`${lesson}/${arg}`];
  if (!m) throw new Error(`@bytes ${lesson} ${arg}: no such message (docs/.vitepress/gen/byte-tables.ts)`);
  return m;
}

const OPEN: Record<Locale, string> = { en: 'Open these bytes in the message viewer', 'zh-CN': '在消息查看器中打开这些字节' };
const cell = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;');
const spaced = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

/** The table, as markdown inside a div that carries the message's bytes (for the test). */
export function renderBytes(lesson: string, arg: string, locale: Locale): string {
  const m = resolve(lesson, arg);
  const bytes = m.bytes();
  const t = pageWords(locale === 'en' ? 'en-US' : 'zh-CN');
  const fam = m.family();
  const view = viewMessages(bytes, fam, t.decoder);
  if (view.problem) throw new Error(`@bytes ${lesson} ${arg}: ${view.problem.message}`);
  const [offset, , bytesCol, field, value] = t.columns;
  const rows = view.messages.flatMap((msg) =>
    msg.rows.map((r) => {
      const own = bytes.subarray(r.offset, r.offset + (r.own ?? r.length));
      const name = `${'&nbsp;'.repeat(r.depth * 3)}\`${r.field}\`${r.detail ? `<br><small>${'&nbsp;'.repeat(r.depth * 3)}${r.detail}</small>` : ''}`;
      // Strings the message carries are quoted as code, like any program output.
      const shown = r.value.startsWith('"') ? `\`${cell(r.value)}\`` : cell(r.value);
      return `| ${r.offset} | ${own.length ? `\`${spaced(own)}\`` : ''} | ${name} | ${shown} |`;
    }),
  );
  return [
    `<div class="nlab-bytes" data-message="${lesson} ${arg.startsWith('hex=') ? 'hex' : arg}" data-hex="${Buffer.from(bytes).toString('hex')}">`,
    '',
    `| ${offset} | ${bytesCol} | ${field} | ${value} |`,
    '| ---: | --- | --- | --- |',
    ...rows,
    '',
    // The viewer reads plain-payload messages (lessons 2–5) as nlctrl: no link for those.
    ...(fam?.protocol === 'raw' ? [] : [`[${OPEN[locale]}](${locale === 'en' ? '' : '/zh-CN'}/viewer#hex=${Buffer.from(bytes).toString('hex')}&lesson=${lesson})`, '']),
    '</div>',
  ].join('\n');
}
