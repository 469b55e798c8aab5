// LAB_NETLINK_TRACE records every open and close, so a grader can tell a client that
// closes its socket from one that leaves it to process exit, and the netlink options each
// socket turned on, so it can tell a client that asked for capped ACKs from one that did not.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const index = new URL('../../dist/client/src/index.js', import.meta.url).href;

/** The trace's lines, each split into words. */
function traced(body: string): string[][] {
  const file = join(mkdtempSync(join(tmpdir(), 'nltrace-')), 'trace');
  execFileSync(process.execPath, ['--input-type=module', '-e', `import { openSocket } from ${JSON.stringify(index)};\n${body}`], {
    env: { ...process.env, LAB_NETLINK_TRACE: file },
  });
  try {
    return readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split(' '));
  } catch {
    return [];
  }
}

const events = (lines: string[][]): string[] => lines.map((l) => l[0]!).filter((e) => e === 'open' || e === 'close');
const options = (lines: string[][]): string[] => lines.filter((l) => l[0] === 'option').map((l) => l[3]!);

describe('LAB_NETLINK_TRACE', () => {
  it('records an open and a close for a socket that is closed', () => {
    expect(events(traced('const s = openSocket(0); s.close(); s.close();'))).toEqual(['open', 'close']);
  });

  it('records only the open for a socket left to process exit', () => {
    expect(events(traced('openSocket(0);'))).toEqual(['open']);
  });

  it('records the netlink options a socket turned on, and only those', () => {
    expect(options(traced('openSocket(0).close();'))).toEqual(['EXT_ACK', 'CAP_ACK', 'GET_STRICT_CHK']);
    expect(options(traced('openSocket(0, { capAck: false, strictCheck: false }).close();'))).toEqual(['EXT_ACK']);
  });
});
