// Temporary copies of real lessons and their pages, for tests of the instructor tools.
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../kernel/src/paths.js';

/** A temporary tree with copies of `ids` (lessons and both pages); returns its root. */
export function copyLessons(ids: readonly string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'nlab-lint-'));
  // Lessons live in an ES module package (the repository's); TypeScript reads it from here.
  writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
  mkdirSync(join(root, 'lessons'), { recursive: true });
  cpSync(join(REPO_ROOT, 'lessons', 'parts.json'), join(root, 'lessons', 'parts.json'));
  for (const id of ids) {
    cpSync(join(REPO_ROOT, 'lessons', id), join(root, 'lessons', id), { recursive: true });
    for (const locale of ['', 'zh-CN']) {
      mkdirSync(join(root, 'docs', locale, 'lessons'), { recursive: true });
      cpSync(join(REPO_ROOT, 'docs', locale, 'lessons', `${id}.md`), join(root, 'docs', locale, 'lessons', `${id}.md`));
    }
  }
  return root;
}

