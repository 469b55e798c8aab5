// `lab doctor`: one line per thing the lab needs, each failed line with its fix.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { accelVerdict } from './accel.js';
import { bootImage } from './boot-image.js';
import { BUSYBOX, ensureInitramfs } from './initramfs.js';
import { KNOWN_KERNELS, findKernel, type Kernel } from './kernels.js';
import { QEMU } from './qemu-args.js';
import { LabError } from './errors.js';
import { hasSystemTool, LAB_STATE } from './paths.js';

export interface DoctorLine {
  ok: boolean;
  /** False for things the lab can do without (KVM): shown, but not a failure. */
  required: boolean;
  what: string;
  detail: string;
  fix?: string;
}

async function checkQemu(): Promise<DoctorLine> {
  const r = await execa(QEMU, ['--version'], { reject: false });
  return r.exitCode === 0
    ? { ok: true, required: true, what: 'qemu', detail: r.stdout.split('\n')[0] ?? '' }
    : { ok: false, required: true, what: 'qemu', detail: `${QEMU} not found`, fix: 'sudo apt-get install qemu-system-x86' };
}

async function checkBusybox(): Promise<DoctorLine> {
  if (!existsSync(BUSYBOX)) return { ok: false, required: true, what: 'busybox', detail: `no ${BUSYBOX}`, fix: 'sudo apt-get install busybox-static' };
  const r = await execa('file', ['-L', BUSYBOX], { reject: false });
  const dynamic = r.exitCode === 0 && /dynamically linked/.test(r.stdout);
  return dynamic
    ? { ok: false, required: true, what: 'busybox', detail: `${BUSYBOX} is dynamically linked; the guest has no libc`, fix: 'sudo apt-get install busybox-static' }
    : { ok: true, required: true, what: 'busybox', detail: `${BUSYBOX} (static)` };
}

/** 9p over virtio is built in or shipped as modules for this kernel. */
function has9p(k: Kernel): boolean {
  const text = ['modules.dep', 'modules.builtin']
    .map((f) => join(k.modulesDir, f))
    .filter(existsSync)
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  return /\/9p\.ko/.test(text) && /9pnet_virtio\.ko/.test(text);
}

function checkKernel(selector: string): { lines: DoctorLine[]; kernel?: Kernel } {
  let k: Kernel;
  try {
    k = findKernel(selector);
  } catch (e) {
    const err = e as LabError;
    return { lines: [{ ok: false, required: true, what: `kernel ${selector}`, detail: err.message, ...(err.fix ? { fix: err.fix } : {}) }] };
  }
  const known = KNOWN_KERNELS.find((x) => x.selector === selector);
  const lines: DoctorLine[] = [
    { ok: true, required: true, what: `kernel ${selector}`, detail: `${k.release} (${k.image})` },
    k.headers
      ? { ok: true, required: true, what: `headers ${selector}`, detail: k.headers }
      : { ok: false, required: true, what: `headers ${selector}`, detail: `none for ${k.release}`, fix: `sudo apt-get install ${known?.headers ?? `linux-headers-${k.release}`}` },
    has9p(k)
      ? { ok: true, required: true, what: `9p ${selector}`, detail: 'virtio-9p available (module or built in)' }
      : { ok: false, required: true, what: `9p ${selector}`, detail: `no 9p/9pnet_virtio in ${k.modulesDir}`, fix: 'use a kernel built with CONFIG_9P_FS and CONFIG_NET_9P_VIRTIO' },
  ];
  return { lines, kernel: k };
}

async function checkKvm(k: Kernel): Promise<DoctorLine> {
  const { path } = await ensureInitramfs(k);
  const v = await accelVerdict(k, await bootImage(k.image), path, true);
  return v.accel === 'kvm'
    ? { ok: true, required: false, what: 'kvm', detail: v.reason }
    : { ok: false, required: false, what: 'kvm', detail: `${v.reason}; guests run under TCG (slower, still correct)`, fix: 'on your own Linux machine: enable virtualization in firmware and add yourself to the kvm group' };
}

/** Lesson 12's peer: the kernel's YNL client and schemas, extracted by setup, and the Python modules it imports. */
async function checkYnl(): Promise<DoctorLine> {
  const dir = join(LAB_STATE, 'ynl');
  const fix = 'npm run setup (installs linux-source-6.12, python3-yaml, python3-jsonschema and extracts tools/net/ynl)';
  if (!existsSync(join(dir, 'tools/net/ynl/cli.py')) || !existsSync(join(dir, 'Documentation/netlink/genetlink.yaml')))
    return { ok: false, required: true, what: 'ynl', detail: `no tools/net/ynl/cli.py or Documentation/netlink/ in ${dir}`, fix };
  const r = await execa('python3', ['-c', 'import yaml, jsonschema'], { reject: false });
  return r.exitCode === 0
    ? { ok: true, required: true, what: 'ynl', detail: `${dir} (cli.py, genetlink.yaml; python3 with yaml and jsonschema)` }
    : { ok: false, required: true, what: 'ynl', detail: `python3 cannot import yaml and jsonschema: ${r.stderr.split('\n').at(-1) ?? ''}`, fix };
}

/** --pcap's tools: dumpcap, which the guest runs from this machine's root, and tshark for reading captures. */
function checkCapture(): DoctorLine {
  const missing = ['dumpcap', 'tshark'].filter((t) => !hasSystemTool(t));
  return missing.length
    ? { ok: false, required: false, what: 'capture', detail: `${missing.join(' and ')} not installed: grade --pcap cannot capture`, fix: 'npm run setup (installs Debian\'s tshark package)' }
    : { ok: true, required: false, what: 'capture', detail: 'dumpcap and tshark (grade --pcap, nlmon in the guest)' };
}

/** Runs every check; KVM is probed with the first kernel that is installed. */
export async function runDoctor(): Promise<DoctorLine[]> {
  const lines = [await checkQemu(), await checkBusybox()];
  let probeKernel: Kernel | undefined;
  for (const { selector } of KNOWN_KERNELS) {
    const r = checkKernel(selector);
    lines.push(...r.lines);
    probeKernel ??= r.kernel;
  }
  lines.push(await checkYnl(), checkCapture());
  if (probeKernel && lines[0]?.ok && lines[1]?.ok) lines.push(await checkKvm(probeKernel));
  return lines;
}
