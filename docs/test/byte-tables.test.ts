// The byte tables of the lesson pages (`<!-- @bytes … -->`, gen/byte-tables.ts), read from the
// built HTML in both languages: each table's bytes are the client codec's encoding of the
// lesson's message (or the recorded bytes the page names), and its rows cover every byte once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bytesOf } from '../.vitepress/gen/byte-tables.ts';
import { decodeEntities } from './html-text.ts';
import { distDir, docsDir } from './helpers.ts';

/** Every directive of a page's markdown source: lesson and argument. */
const directives = (file: string): [string, string][] =>
  [...readFileSync(join(docsDir, file), 'utf8').matchAll(/^<!--\s*@bytes\s+(\S+)\s+(\S+)\s*-->$/gm)].map((m) => [m[1]!, m[2]!]);

/** The tables of a built page: the bytes they carry, and each row's offset and shown bytes. */
function tables(html: string): { hex: string; rows: { offset: number; bytes: string }[] }[] {
  return [...html.matchAll(/<div class="nlab-bytes"[^>]*data-hex="([0-9a-f]+)">([\s\S]*?)<\/table>/g)].map((m) => ({
    hex: m[1]!,
    rows: [...m[2]!.matchAll(/<tr><td[^>]*>(\d+)<\/td><td[^>]*>(?:<code>([^<]*)<\/code>)?<\/td>/g)].map((r) => ({ offset: Number(r[1]), bytes: decodeEntities(r[2] ?? '').replace(/ /g, '') })),
  }));
}

const PAGES = ['lessons/lesson-2.md', 'lessons/lesson-7.md', 'lessons/lesson-8.md'];

describe('byte tables', () => {
  for (const page of PAGES) {
    for (const prefix of ['', 'zh-CN/']) {
      it(`${prefix}${page}: every table is the codec's encoding, and its rows tile the message`, () => {
        const wanted = directives(prefix + page);
        expect(wanted.length, `${prefix}${page} has byte tables`).toBeGreaterThan(0);
        const built = tables(readFileSync(join(distDir, `${prefix}${page.replace(/\.md$/, '.html')}`), 'utf8'));
        expect(built.length).toBe(wanted.length);
        built.forEach((t, i) => {
          const [lesson, arg] = wanted[i]!;
          expect(t.hex, `${lesson} ${arg}`).toBe(Buffer.from(bytesOf(lesson, arg)).toString('hex'));
          // Rows that show bytes follow each other without a gap or an overlap, to the last byte.
          let at = 0;
          for (const r of t.rows.filter((x) => x.bytes)) {
            expect(r.offset, `${lesson} ${arg}: row at ${r.offset}`).toBe(at);
            expect(r.bytes).toBe(t.hex.slice(2 * r.offset, 2 * r.offset + r.bytes.length));
            at += r.bytes.length / 2;
          }
          expect(at).toBe(t.hex.length / 2);
        });
      });
    }
  }

  it('the same tables in both languages', () => {
    for (const page of PAGES) expect(directives(`zh-CN/${page}`)).toEqual(directives(page));
  });
});
