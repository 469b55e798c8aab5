// LAB_NETLINK_TRACE records every open and close, so a grader can tell a client that
// closes its socket from one that leaves it to process exit.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const index = new URL('../../dist/client/src/index.js', import.meta.url).href;

function traced(body: string): string[] {
  const file = join(mkdtempSync(join(tmpdir(), 'nltrace-')), 'trace');
  execFileSync(process.execPath, ['--input-type=module', '-e', `import { openSocket } from ${JSON.stringify(index)};\n${body}`], {
    env: { ...process.env, LAB_NETLINK_TRACE: file },
  });
  try {
    return readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split(' ')[0]!);
  } catch {
    return [];
  }
}

describe('LAB_NETLINK_TRACE', () => {
  it('records an open and a close for a socket that is closed', () => {
    expect(traced('const s = openSocket(0); s.close(); s.close();')).toEqual(['open', 'close']);
  });

  it('records only the open for a socket left to process exit', () => {
    expect(traced('openSocket(0);')).toEqual(['open']);
  });
});
