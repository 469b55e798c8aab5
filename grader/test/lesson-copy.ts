// Temporary copies of real lessons and their pages, for tests of the instructor tools.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../kernel/src/index.js';

/** `ids` and the lessons they build on ("base" in lesson.json, all the way down). */
function withBases(ids: readonly string[]): string[] {
  const all = new Set<string>();
  for (let id: string | undefined of ids) {
    for (; id && !all.has(id); id = (JSON.parse(readFileSync(join(REPO_ROOT, 'lessons', id, 'lesson.json'), 'utf8')) as { base?: string }).base) all.add(id);
  }
  return [...all];
}

/**
 * A temporary tree with copies of `ids` (lessons and both pages) and of the lessons they build
 * on, whose files they take and whose code they are compared with; returns its root.
 */
export function copyLessons(ids: readonly string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'nlab-lint-'));
  // Lessons live in an ES module package (the repository's); TypeScript reads it from here.
  writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
  mkdirSync(join(root, 'lessons'), { recursive: true });
  cpSync(join(REPO_ROOT, 'lessons', 'parts.json'), join(root, 'lessons', 'parts.json'));
  for (const id of withBases(ids)) {
    cpSync(join(REPO_ROOT, 'lessons', id), join(root, 'lessons', id), { recursive: true });
    for (const locale of ['', 'zh-CN']) {
      mkdirSync(join(root, 'docs', locale, 'lessons'), { recursive: true });
      cpSync(join(REPO_ROOT, 'docs', locale, 'lessons', `${id}.md`), join(root, 'docs', locale, 'lessons', `${id}.md`));
    }
  }
  return root;
}

