// The two languages of the built site agree (no browser): every heading has the same anchor in
// both, a zh-CN page has no English prose outside code, and every translated text the pages are
// generated from (TODO instructions, CHANGES.md notes, the client reference) exists and still matches its English.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { referenceTranslations } from '../.vitepress/gen/client-reference.ts';
import { CHANGES_FILE, parseChanges } from '../../grader/src/lesson/changes-file.ts';
import { changeNote, listLessons, todoText, zhLessons } from '../.vitepress/lessons.ts';
import { findTodo, lessonTodos, widenCjk } from '../.vitepress/markdown/lab-directives.ts';
import { headingIds, isEnglishProse, textUnits } from './html-text.ts';
import { distDir, docsDir } from './helpers.ts';

const realLessons = listLessons(join(docsDir, '../lessons'));
const zhDist = join(distDir, 'zh-CN');

/** Built pages of the English site (zh-CN and assets left out), relative to dist. */
function englishPages(dir = distDir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'assets' || p === zhDist ? [] : englishPages(p);
    return name.endsWith('.html') ? [relative(distDir, p)] : [];
  });
}

/** Anchors only one side has, e.g. `['- #extended-ack', '+ #扩展-ack']`. */
export function anchorDiff(enHtml: string, zhHtml: string): string[] {
  const en = new Set(headingIds(enHtml));
  const zh = new Set(headingIds(zhHtml));
  return [...[...en].filter((id) => !zh.has(id)).map((id) => `- #${id}`), ...[...zh].filter((id) => !en.has(id)).map((id) => `+ #${id}`)];
}

/** The code spans and #links of a text: a translation must keep them as they are. */
const codeOf = (s: string): string[] => [...s.matchAll(/`[^`]*`|\]\(#[^)]*\)/g)].map((m) => m[0]).sort();
/** Names outside code spans (nlmsg_put(), NLM_F_ACK, req->nlmsg_pid, socket.nextSeq()): a translation must name them too. */
const namesOf = (s: string): string[] =>
  [...new Set(s.replace(/`[^`]*`|\]\(#[^)]*\)/g, ' ').match(/[A-Za-z_]\w*(?:(?:->|\.)[A-Za-z_]\w*)*(?:\(\))?/g) ?? [])].filter(
    (w) => w !== 'e.g' && !/^[A-Z]{2,}s$/.test(w) && /_|\(\)|[a-z][A-Z]|^[A-Z]{2,}|->|\./.test(w),
  );
/** What a translation lost of its English's code: changed code spans, names it no longer mentions. */
function lostCode(en: string, zh: string): string[] {
  const spans = codeOf(en).join('\u0000') === codeOf(zh).join('\u0000') ? [] : ['its code spans'];
  return [...spans, ...namesOf(en).filter((n) => !zh.includes(n))];
}

describe('the same anchors in both languages', () => {
  it('a planted mismatch is found', () => {
    const en = '<h2 id="extended-ack" tabindex="-1">Extended ACK</h2><h3 id="todo-1">TODO 1</h3>';
    expect(anchorDiff(en, '<h2 id="extended-ack">扩展 ACK</h2><h3 id="todo-1">TODO 1</h3>')).toEqual([]);
    expect(anchorDiff(en, '<h2 id="扩展-ack">扩展 ACK</h2><h3 id="todo-1">TODO 1</h3>')).toEqual(['- #extended-ack', '+ #扩展-ack']);
  });

  const pages = englishPages().filter((p) => existsSync(join(zhDist, p)));
  it('the built site has pages in both languages', () => expect(pages.length, `pages in ${distDir} (npm run docs:build)`).toBeGreaterThan(10));
  for (const page of pages) {
    it(`${page}: every heading id is the same in /zh-CN/`, () => {
      const en = readFileSync(join(distDir, page), 'utf8');
      expect(headingIds(en).length, `${page} has headings`).toBeGreaterThan(0);
      expect(anchorDiff(en, readFileSync(join(zhDist, page), 'utf8')), `${page}: anchors only in English (-) or only in Chinese (+)`).toEqual([]);
    });
  }
});

describe('zh-CN pages have no English prose outside code', () => {
  it('a planted English paragraph is found; Chinese with names and code is not', () => {
    const html = [
      '<body><div class="vp-doc">',
      '<p>用 <code>nlmsg_unicast()</code> 把回复发回去。</p>',
      '<p>Send the answer to the port the kernel recorded for the sender.</p>',
      '<ul><li><code>seq</code>：the request was dropped</li><li><code>nlab_kv_fill()</code></li></ul>',
      '<pre><code>make -C the headers of the running kernel</code></pre>',
      '<h3 id="todo-1"><span>TODO 1</span> <code>starter/kernel/m.c</code></h3>',
      '<td>Netlink Lab</td><button title="Copy Code" class="copy"></button>',
      '</div></body>',
    ].join('');
    expect(textUnits(html).filter((u) => isEnglishProse(u.text))).toEqual([
      { tag: 'p', text: 'Send the answer to the port the kernel recorded for the sender.' },
      { tag: 'li', text: '：the request was dropped' },
    ]);
    expect(textUnits(html).some((u) => u.text.includes('make -C'))).toBe(false);
    // Attributes are read out or shown as tooltips: two words are enough there.
    expect(textUnits(html).filter((u) => u.tag.startsWith('@') && isEnglishProse(u.text, 2))).toEqual([{ tag: '@title', text: 'Copy Code' }]);
  });

  const zhPages = englishPages().filter((p) => existsSync(join(zhDist, p)));
  for (const page of zhPages) {
    it(`/zh-CN/${page}`, () => {
      const units = textUnits(readFileSync(join(zhDist, page), 'utf8'));
      expect(units.length).toBeGreaterThan(0);
      const english = units.filter((u) => isEnglishProse(u.text, u.tag.startsWith('@') ? 2 : 3)).map((u) => `<${u.tag}> ${u.text}`);
      expect(english, `English on /zh-CN/${page}`).toEqual([]);
    });
  }
});

describe('translations the zh-CN pages are generated from', () => {
  it('every TODO has a zh-CN instruction, written for its current English', () => {
    const problems: string[] = [];
    for (const l of realLessons) {
      for (const n of lessonTodos(l.id)) {
        const english = findTodo(l.id, n).block.text;
        const { text, translated } = todoText(l.id, n, english, 'zh-CN');
        if (!translated) problems.push(`${l.id} TODO ${n}: ${zhLessons()[l.id]?.todos?.[n] ? 'translated from other English' : 'no translation'}`);
        else if (lostCode(english, text).length) problems.push(`${l.id} TODO ${n}: the translation lost ${lostCode(english, text).join(', ')}`);
      }
      const stale = Object.keys(zhLessons()[l.id]?.todos ?? {}).filter((n) => !lessonTodos(l.id).includes(Number(n)));
      problems.push(...stale.map((n) => `${l.id} TODO ${n}: translated, but the lesson has no such TODO`));
    }
    expect(problems).toEqual([]);
  });

  it('a changed TODO comment is not shown with its old translation', () => {
    const l = realLessons.find((x) => lessonTodos(x.id).length)!;
    const n = lessonTodos(l.id)[0]!;
    const english = findTodo(l.id, n).block.text;
    expect(todoText(l.id, n, english, 'zh-CN').translated).toBe(true);
    expect(todoText(l.id, n, `${english} Then return 0.`, 'zh-CN')).toEqual({ text: `${english} Then return 0.`, translated: false });
  });

  /** Each lesson's CHANGES.md notes, by file (lessons without a base have none). */
  const changeNotes = (id: string): Map<string, string> => {
    const path = join(docsDir, '../lessons', id, CHANGES_FILE);
    return new Map(existsSync(path) ? (parseChanges(readFileSync(path, 'utf8'))?.files ?? []).map((f) => [f.rel, f.note]) : []);
  };

  it('every CHANGES.md note has a zh-CN translation, written for its current English', () => {
    const problems: string[] = [];
    for (const l of realLessons) {
      const notes = changeNotes(l.id);
      for (const [rel, english] of notes) {
        const { text, translated } = changeNote(l.id, rel, english, 'zh-CN');
        if (!translated) problems.push(`${l.id} ${rel}: ${zhLessons()[l.id]?.changes?.[rel] ? 'translated from other English' : 'no translation'}`);
        else if (lostCode(english, text).length) problems.push(`${l.id} ${rel}: the translation lost ${lostCode(english, text).join(', ')}`);
      }
      const stale = Object.keys(zhLessons()[l.id]?.changes ?? {}).filter((rel) => !notes.has(rel));
      problems.push(...stale.map((rel) => `${l.id} ${rel}: translated, but CHANGES.md has no note on it`));
    }
    expect(realLessons.filter((l) => changeNotes(l.id).size).length).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });

  it('a changed CHANGES.md note is not shown with its old translation', () => {
    const l = realLessons.find((x) => changeNotes(x.id).size)!;
    const [rel, english] = [...changeNotes(l.id)][0]!;
    expect(changeNote(l.id, rel, english, 'zh-CN')).toEqual({ text: zhLessons()[l.id]!.changes![rel]!['zh-CN'], translated: true });
    expect(changeNote(l.id, rel, `${english} And more.`, 'zh-CN')).toEqual({ text: `${english} And more.`, translated: false });
    expect(changeNote(l.id, 'kernel/no-such-file.c', english, 'zh-CN').translated).toBe(false);
  });

  it('every TSDoc text of the client reference has a zh-CN translation, and none is left over', () => {
    const { missing, unused } = referenceTranslations(join(docsDir, '../client/src/index.ts'));
    expect.soft(missing, 'English shown on /zh-CN/reference/client').toEqual([]);
    expect.soft(unused, 'translations of comments that changed or went away').toEqual([]);
    const zh = JSON.parse(readFileSync(join(docsDir, '.vitepress/i18n/client.zh-CN.json'), 'utf8')) as Record<string, string>;
    const lost = Object.entries(zh).flatMap(([en, t]) => (lostCode(en, t).length ? [`${en.slice(0, 60)}…: lost ${lostCode(en, t).join(', ')}`] : []));
    expect.soft(lost, 'translations that lost code or names').toEqual([]);
  });
});

describe('Chinese in code blocks', () => {
  it('takes two columns per character, inside <pre> only, text unchanged', () => {
    const html = '<button title="复制代码"></button><pre class="shiki"><code><span style="--shiki-light:#24292E">偏移 0：nlmsg_len</span></code></pre><p>中文</p>';
    const out = widenCjk(html);
    expect(out).toBe('<button title="复制代码"></button><pre class="shiki"><code><span style="--shiki-light:#24292E"><span class="nlab-w2">偏</span><span class="nlab-w2">移</span> 0<span class="nlab-w2">：</span>nlmsg_len</span></code></pre><p>中文</p>');
    expect(out.replace(/<[^>]+>/g, '')).toBe(html.replace(/<[^>]+>/g, ''));
  });

  it('the built zh-CN diagrams use it', () => {
    const html = readFileSync(join(zhDist, 'lessons/lesson-3.html'), 'utf8');
    const pres = html.match(/<pre\b[\s\S]*?<\/pre>/g) ?? [];
    expect(pres.some((p) => p.includes('<span class="nlab-w2">客</span>'))).toBe(true);
    // No Chinese character in a code block is left without its box.
    expect(pres.flatMap((p) => p.replace(/<span class="nlab-w2">.<\/span>/gu, '').replace(/<[^>]+>/g, '').match(/\p{Script=Han}/gu) ?? [])).toEqual([]);
  });
});
