// The kernel's own C generator, tools/net/ynl/ynl-gen-c.py from the 6.12 tree that
// `npm run setup` extracts into .lab/ynl, run on a spec held outside a kernel tree. The
// generator validates the spec against the schema its `protocol` names, found at
// ../<protocol>.yaml from the spec, and names the spec in its output by its path below the
// tree's root, the first folder above it with a MAINTAINERS file (without one it loops
// forever). So each run gets a small tree of its own: the spec as
// Documentation/netlink/specs/<name>.yaml, the schemas beside it, an empty MAINTAINERS.

import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { LAB_STATE } from '../../../kernel/src/index.js';
import type { YnlGenCMode } from './schema.js';

/** Where setup unpacks the kernel's YNL tools and schemas. */
export const YNL_DIR = join(LAB_STATE, 'ynl');
const GENERATOR = join(YNL_DIR, 'tools/net/ynl/ynl-gen-c.py');
const SCHEMAS = join(YNL_DIR, 'Documentation/netlink');

/** The generator is missing, or refused the spec: the message says which, and what it printed. */
export class YnlGenCError extends Error {
  override name = 'YnlGenCError';
}

/** One run of the generator, set up in a tree of its own: the command, and what to do after it. */
interface GenCRun {
  argv: string[];
  /** The output's text, once the command succeeded. */
  read(): string;
  /** The generator's failure as a YnlGenCError, from what it printed. */
  failed(e: unknown): YnlGenCError;
  cleanup(): void;
}

function prepare(text: string, specName: string, mode: YnlGenCMode, out: string): GenCRun {
  if (!existsSync(GENERATOR)) throw new YnlGenCError(`the kernel's C generator is not there (${GENERATOR}): run npm run setup, which extracts it from linux-source-6.12`);
  const root = mkdtempSync(join(tmpdir(), 'nlab-ynl-gen-c-'));
  const specs = join(root, 'Documentation/netlink/specs');
  mkdirSync(specs, { recursive: true });
  writeFileSync(join(root, 'MAINTAINERS'), '');
  for (const schema of readdirSync(SCHEMAS).filter((f) => f.endsWith('.yaml'))) symlinkSync(join(SCHEMAS, schema), join(root, 'Documentation/netlink', schema));
  const spec = join(specs, basename(specName));
  writeFileSync(spec, text);
  const output = join(root, basename(out));
  const part = out.endsWith('.h') ? '--header' : '--source';
  return {
    argv: [GENERATOR, '--mode', mode, '--spec', spec, part, '-o', output],
    read: () => readFileSync(output, 'utf8'),
    failed(e) {
      const err = e as { stdout?: string; stderr?: string; message: string };
      const said = `${err.stdout ?? ''}${err.stderr ?? ''}`.trim();
      // From a traceback, the exception's own line; otherwise what the generator printed.
      const exception = said.split('\n').findLast((l) => /^[\w.]+(Error|Exception): /.test(l));
      const why = (exception ?? (said || err.message)).replace(/\s+/g, ' ');
      return new YnlGenCError(`ynl-gen-c.py --mode ${mode} ${part} failed: ${why.length > 300 ? `${why.slice(0, 300)}…` : why}`);
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

const RUN = { encoding: 'utf8', timeout: 60_000 } as const;

/**
 * What `ynl-gen-c.py --mode MODE --header|--source -o OUT` writes for the spec `text`: a
 * header when `out` ends in .h, a source when it ends in .c. `out` is the output's path; only
 * its name matters (a kernel source includes the header of the same name), and `specName` is
 * the spec's file name, which the output quotes.
 */
export function ynlGenC(text: string, specName: string, mode: YnlGenCMode, out: string): string {
  const run = prepare(text, specName, mode, out);
  try {
    try {
      execFileSync('python3', run.argv, { ...RUN, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      throw run.failed(e);
    }
    return run.read();
  } finally {
    run.cleanup();
  }
}

/** {@link ynlGenC} without blocking the event loop (the grade runs it while its guest works). */
export async function ynlGenCAsync(text: string, specName: string, mode: YnlGenCMode, out: string): Promise<string> {
  const run = prepare(text, specName, mode, out);
  try {
    try {
      await promisify(execFile)('python3', run.argv, RUN);
    } catch (e) {
      throw run.failed(e);
    }
    return run.read();
  } finally {
    run.cleanup();
  }
}
