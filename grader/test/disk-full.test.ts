// A full disk where the run folders live: one clear sentence, exit 2, no QEMU left behind.
// Uses a private tmpfs (NETLINK_LAB_RUNS), so nothing else on the machine is affected.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../kernel/src/index.js';

const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)('a disk-full results share', () => {
  const runs = mkdtempSync(join(tmpdir(), 'lab-full-'));
  afterAll(() => execFileSync('umount', [runs]));

  it('fails the grade with a sentence, not a stack trace, and stops the guest', async () => {
    // 4 KiB: less than a run folder's first files need.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4k', 'lab-full', runs]);
    // Fill it: dd stops with ENOSPC, which is the point.
    execFileSync('sh', ['-c', `dd if=/dev/zero of=${join(runs, 'filler')} bs=1k count=8 2>/dev/null || true`]);
    const r = await promisify(execFile)(process.execPath, [join(REPO_ROOT, 'dist/grader/src/cli.js'), 'lesson-3', '--solution', '--only', 'loads'], {
      env: { ...process.env, NO_COLOR: '1', NETLINK_LAB_RUNS: runs },
      timeout: 60_000,
    }).then(
      (ok) => ({ code: 0, stderr: ok.stderr }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(r.stderr).toMatch(/no space left for the run folder .*lab-full-\w+\/run-/);
    expect(r.stderr).toMatch(/fix: free disk space/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(2);
    expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toContain(runs);
  }, 90_000);
});
