// `npm run lesson -- reset`: the student's starter comes back as generated, and their work is kept.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAB_STATE } from '../../kernel/src/index.js';
import { loadLesson } from '../src/lesson/load.js';
import { resetStarter, starterDrift } from '../src/lesson/starters.js';

describe('resetStarter', () => {
  it('restores an edited starter and keeps the edit in a backup', () => {
    const real = loadLesson('lesson-1');
    const dir = join(mkdtempSync(join(LAB_STATE, 'reset-')), 'lesson-1');
    cpSync(real.dir, dir, { recursive: true });
    const lesson = { ...real, dir };
    const file = join(dir, 'starter/kernel/nlab_hello.c');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n/* my work */\n`);
    expect(starterDrift(lesson)).toEqual(['starter/kernel/nlab_hello.c']);

    const backup = resetStarter(lesson, join(dir, 'backups'));
    expect(starterDrift(lesson)).toEqual([]);
    expect(backup).toBeDefined();
    expect(readFileSync(join(backup!, 'kernel/nlab_hello.c'), 'utf8')).toMatch(/my work/);
  });

  it('makes no backup when there is nothing to lose', () => {
    const real = loadLesson('lesson-1');
    const dir = join(mkdtempSync(join(LAB_STATE, 'reset-')), 'lesson-1');
    cpSync(real.dir, dir, { recursive: true });
    expect(resetStarter({ ...real, dir }, join(dir, 'backups'))).toBeUndefined();
  });
});
