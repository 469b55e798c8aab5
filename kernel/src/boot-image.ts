// Turns a compressed bzImage into the uncompressed vmlinux inside it, once, so QEMU can
// boot it straight through the PVH entry point. Under TCG this skips seconds of emulated
// decompression (about 4 s for Debian's xz-packed 6.1). Any image it cannot unpack boots as it is.

import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { CACHE_DIR } from './common/paths.js';

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

/** Compressors a distro kernel may use, by the magic that starts their stream. */
const PAYLOADS = [
  { magic: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), tool: ['xz', '-dcq'] },
  { magic: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), tool: ['zstd', '-dcq'] },
  { magic: Buffer.from([0x1f, 0x8b, 0x08]), tool: ['gzip', '-dcq'] },
] as const;

function startsWithElf(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(4);
    readSync(fd, head, 0, 4, 0);
    return head.equals(ELF_MAGIC);
  } finally {
    closeSync(fd);
  }
}

/**
 * Unpacks the first payload that decompresses to an ELF file into `out`; trailing bytes are
 * expected. The tool gets plain file descriptors (node's spawn, not execa): through execa's
 * `input`, `inputFile` or `stdout: { file }` the bytes pass through Node streams, and
 * 10–60 MB took 14–47 s here instead of 0.5–1.5 s.
 */
async function unpack(image: Buffer, out: string): Promise<boolean> {
  const input = `${out}.in`;
  try {
    for (const { magic, tool } of PAYLOADS) {
      const at = image.indexOf(magic);
      if (at < 0) continue;
      writeFileSync(input, image.subarray(at));
      const [cmd, ...args] = tool;
      const stdin = openSync(input, 'r');
      const stdout = openSync(out, 'w');
      try {
        const child = spawn(cmd!, args, { stdio: [stdin, stdout, 'ignore'] });
        await Promise.race([once(child, 'exit'), once(child, 'error')]).catch(() => {});
      } finally {
        closeSync(stdin);
        closeSync(stdout);
      }
      if (startsWithElf(out)) return true;
    }
    return false;
  } finally {
    rmSync(input, { force: true });
  }
}

/** The image QEMU should boot for `image`: a cached vmlinux when one can be had, else `image`. */
export async function bootImage(image: string): Promise<string> {
  if (process.env.NETLINK_LAB_NO_PVH === '1' || startsWithElf(image)) return image;
  const s = statSync(image);
  const dir = join(CACHE_DIR, 'vmlinux');
  const cached = join(dir, `${image.replace(/\W+/g, '_')}-${s.size}-${Math.trunc(s.mtimeMs)}`);
  const failed = `${cached}.none`;
  if (existsSync(cached)) return cached;
  if (existsSync(failed)) return image;
  mkdirSync(dir, { recursive: true });
  // Unpack beside the cache entry, then rename, so a concurrent run never boots half a file.
  const tmp = `${cached}.${process.pid}.tmp`;
  const ok = await unpack(readFileSync(image), tmp);
  if (!ok) {
    rmSync(tmp, { force: true });
    writeFileSync(failed, '');
    return image;
  }
  renameSync(tmp, cached);
  return cached;
}
