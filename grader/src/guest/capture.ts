// --pcap in the guest: an nlmon device sees every netlink message, and one dumpcap writes
// them all to a file on the guest's tmpfs for the guest's whole life. Each check's share is
// cut out between two markers the runner sends itself (a generic netlink lookup of a family
// name nobody registers), so no timestamp or buffer flush decides what belongs to a check.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { closeSync, existsSync, fstatSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { NETLINK, NLMSG } from 'netlink-lab/client';
import { LINKTYPE_NETLINK, netlinkDatagram, PCAP_FILE_HEADER, readRecords, writePcap, type PcapRecord } from '../pcap.js';
import { findFamily } from './genl-family.js';

const DEVICE = 'nlmon0';
const FILE = '/run/tmp/lab-netlink.pcap';
const READY_MS = 30_000;
/** How long a marker may take to reach the file; the first, while TCG still translates dumpcap's capture path, gets longer. */
const MARK_MS = 5_000;
const FIRST_MARK_MS = 15_000;
/** A marker not seen by then is sent again: dumpcap says "Capturing on" before every ring is live. */
const RESEND_MS = 1_000;
const POLL_MS = 20;

/** The longest family name nlctrl accepts: GENL_NAMSIZ (16) less the NUL. */
export const FAMILY_NAME_MAX = 15;

/**
 * Marker `n` of the runner `pid`: a family name nobody registers, within FAMILY_NAME_MAX
 * however long the guest lives (nlctrl refuses a longer one with EINVAL), and of one width,
 * so that no marker's name is part of another's.
 */
export function markerName(n: number, pid: number): string {
  return `lm${n.toString(36).padStart(5, '0')}.${pid.toString(36)}`;
}

export class CaptureError extends Error {
  override name = 'CaptureError';
}

function run(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) return `${cmd}: ${(r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not installed' : r.error.message}`;
  return r.status === 0 ? undefined : `${cmd} ${args.join(' ')}: ${(r.stderr || r.stdout).trim() || `exit ${r.status}`}`;
}

/** nlmon0, up; or why it could not be made. */
function setUpDevice(): string | undefined {
  if (existsSync(`/sys/class/net/${DEVICE}`)) return run('ip', ['link', 'set', DEVICE, 'up']);
  return run('modprobe', ['nlmon']) ?? run('ip', ['link', 'add', DEVICE, 'type', 'nlmon']) ?? run('ip', ['link', 'set', DEVICE, 'up']);
}

export interface Capture {
  /** Sends a marker and waits until dumpcap has written it; returns its name. */
  mark(): Promise<string>;
  /** The records after marker `from` and before marker `to`, as a pcap file. */
  cut(from: string, to: string): { pcap: Buffer; records: PcapRecord[] };
}

/** Starts the capture: nlmon0 up, dumpcap writing, and its first record read. */
export async function startCapture(): Promise<Capture> {
  const setupError = setUpDevice();
  if (setupError) throw new CaptureError(`could not set up the nlmon device: ${setupError}`);
  writeFileSync(FILE, '');
  const dumpcap = spawn('dumpcap', ['-i', DEVICE, '-P', '-q', '-w', FILE], { stdio: ['ignore', 'ignore', 'pipe'] });
  await capturing(dumpcap);
  dumpcap.unref();
  return reader();
}

function capturing(dumpcap: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let said = '';
    const timer = setTimeout(() => fail(`dumpcap did not start capturing within ${READY_MS / 1000} s`), READY_MS);
    function fail(why: string): void {
      clearTimeout(timer);
      dumpcap.kill();
      reject(new CaptureError(why));
    }
    dumpcap.on('error', (e: NodeJS.ErrnoException) => fail(e.code === 'ENOENT' ? 'dumpcap is not installed (Debian package tshark; run npm run setup)' : e.message));
    dumpcap.on('exit', (code) => fail(`dumpcap exited (${code}): ${said.trim()}`));
    dumpcap.stderr!.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      if (!said.includes('Capturing on')) return;
      clearTimeout(timer);
      dumpcap.removeAllListeners('exit');
      dumpcap.stderr!.removeAllListeners('data');
      dumpcap.stderr!.resume();
      // The pipe would keep the runner alive after its last request, until the host kills the guest.
      (dumpcap.stderr as Socket).unref();
      resolve();
    });
  });
}

/** An NLMSG_ERROR to a user socket on NETLINK_GENERIC: the marker lookup's answer. */
function isAck(r: PcapRecord): boolean {
  const d = netlinkDatagram(r);
  return d?.to === 'user' && d.unit === NETLINK.GENERIC && d.bytes.length >= 16 && d.bytes.readUInt16LE(4) === NLMSG.ERROR;
}

/** Reads the growing file from where it left off; keeps only records not yet cut away. */
function reader(): Capture {
  let records: PcapRecord[] = [];
  let offset = PCAP_FILE_HEADER;
  let marks = 0;
  const poll = (): void => {
    const fd = openSync(FILE, 'r');
    try {
      const fresh = Buffer.alloc(Math.max(0, fstatSync(fd).size - offset));
      const got = readRecords(fresh.subarray(0, readSync(fd, fresh, 0, fresh.length, offset)));
      records.push(...got.records);
      offset += got.used;
    } finally {
      closeSync(fd);
    }
  };
  const holds = (r: PcapRecord, name: string): boolean => r.data.includes(name);
  /** The index after a marker's lookup and its ACK (capped, so without the name), once both are in. */
  const afterMarker = (name: string): number | undefined => {
    const at = records.findLastIndex((r) => holds(r, name));
    if (at < 0) return undefined;
    const ack = records.findIndex((r, i) => i > at && isAck(r));
    return ack < 0 ? undefined : ack + 1;
  };
  return {
    async mark() {
      const name = markerName(++marks, process.pid);
      const limit = marks === 1 ? FIRST_MARK_MS : MARK_MS;
      const deadline = Date.now() + limit;
      let sent = 0;
      for (let resend = 0; ; ) {
        if (Date.now() >= resend) {
          await findFamily(name);
          sent += 1;
          resend = Date.now() + RESEND_MS;
        }
        poll();
        if (afterMarker(name) !== undefined) return name;
        if (Date.now() > deadline) {
          throw new CaptureError(`dumpcap did not write the capture marker within ${limit / 1000} s (sent ${sent} times; ${records.length} records read, ${statSync(FILE).size} bytes in the file)`);
        }
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    },
    cut(from, to) {
      const start = afterMarker(from) ?? 0;
      const end = records.findIndex((r, i) => i >= start && holds(r, to));
      const mine = records.slice(start, end < 0 ? records.length : end);
      records = end < 0 ? [] : records.slice(end);
      return { pcap: writePcap(LINKTYPE_NETLINK, mine), records: mine };
    },
  };
}
