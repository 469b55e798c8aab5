// A writer for the "newc" cpio format, the only one the kernel's initramfs unpacker reads.
// Kept pure so that an initramfs is a byte-for-byte function of its entries.

/** One entry of an archive. Directories and symlinks carry no file data. */
export type CpioEntry =
  | { kind: 'dir'; path: string; mode?: number }
  | { kind: 'file'; path: string; data: Uint8Array; mode?: number }
  | { kind: 'symlink'; path: string; target: string };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

function record(ino: number, mode: number, path: string, data: Uint8Array): Buffer[] {
  const name = Buffer.from(`${path}\0`);
  const header =
    '070701' +
    [ino, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, name.length, 0].map(hex8).join('');
  const head = Buffer.concat([Buffer.from(header, 'ascii'), name]);
  return [head, Buffer.alloc(pad4(head.length)), Buffer.from(data), Buffer.alloc(pad4(data.length))];
}

/** Encodes entries, in order, into one newc archive ending with the TRAILER!!! record. */
export function encodeCpio(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  for (const entry of entries) {
    const path = entry.path.replace(/^\/+/, '');
    if (entry.kind === 'dir') parts.push(...record(ino++, S_IFDIR | (entry.mode ?? 0o755), path, new Uint8Array()));
    else if (entry.kind === 'file') parts.push(...record(ino++, S_IFREG | (entry.mode ?? 0o644), path, entry.data));
    else parts.push(...record(ino++, S_IFLNK | 0o777, path, Buffer.from(entry.target)));
  }
  parts.push(...record(0, 0, 'TRAILER!!!', new Uint8Array()));
  return Buffer.concat(parts);
}
