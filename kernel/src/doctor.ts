// `lab doctor`: one line per thing the lab needs, each failed line with its fix.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { accelVerdict } from './accel.js';
import { bootImage } from './boot-image.js';
import { BUSYBOX, ensureInitramfs } from './initramfs.js';
import { KNOWN_KERNELS, LAB_KERNELS_DIR, defaultKernelSelector, describeKernel, missingNote, probeKernel, type Kernel } from './kernels.js';
import { kernelConfig } from './memcheck.js';
import { QEMU } from './qemu-args.js';
import { LabError } from './common/errors.js';
import { hasSystemTool, LAB_STATE } from './common/paths.js';

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

/** The compiler a Debian headers tree names (`CC = … gcc-12` in .kernelvariables), if it names one. */
function headersCompiler(headers: string): string | undefined {
  const vars = join(headers, '.kernelvariables');
  if (!existsSync(vars)) return undefined;
  return /^CC\s*=.*?\b((?:gcc|clang)(?:-\d+)?)\s*$/m.exec(readFileSync(vars, 'utf8'))?.[1];
}

/** What building modules against `k`'s headers still lacks: the tree, kbuild's scripts, the compiler. */
function headersMissing(k: Kernel): string[] {
  if (!k.headers) return [`build headers for ${k.release}`];
  const missing: string[] = [];
  if (!existsSync(join(k.headers, 'scripts', 'Makefile.build'))) missing.push(`kbuild's scripts (${join(k.headers, 'scripts')} leads nowhere)`);
  const cc = headersCompiler(k.headers);
  if (cc && !hasSystemTool(cc)) missing.push(`${cc}, the compiler the headers name`);
  return missing;
}

/** Kernels the lab has besides the chosen one: a system package the lab's own copy shadows. */
function shadowed(k: Kernel, selector: string): string {
  if (k.origin !== 'lab') return '';
  const system = KNOWN_KERNELS.find((x) => x.selector === selector);
  const inBoot = existsSync('/boot') && readdirSync('/boot').some((f) => f.startsWith('vmlinuz-') && system?.pattern.test(f.slice(8)));
  return inBoot ? '; a system package in /boot too, not used' : '';
}

/**
 * One kernel's lines: which release, where it came from, and what it lacks. A kernel the lab
 * does not have fails only when the lab has no supported kernel at all (Debian 13 has no 6.1).
 */
function checkKernel(selector: string, labHasAny: boolean): { lines: DoctorLine[]; kernel?: Kernel } {
  const found = probeKernel(selector);
  if (found instanceof LabError) {
    const note = missingNote(selector);
    return {
      lines: [{ ok: false, required: !labHasAny, what: `kernel ${selector}`, detail: note ? `not in this lab: ${note}` : found.message, ...(found.fix ? { fix: found.fix } : {}) }],
    };
  }
  const k = found;
  const fix = k.origin === 'lab' ? 'npm run setup' : `npm run setup (unpacks the lab's own copy into ${LAB_KERNELS_DIR})`;
  const headersLack = headersMissing(k);
  const modulesLack = [...(existsSync(join(k.modulesDir, 'modules.dep')) ? [] : ['modules.dep']), ...(has9p(k) ? [] : ['9p and 9pnet_virtio'])];
  const lines: DoctorLine[] = [
    { ok: true, required: true, what: `kernel ${selector}`, detail: `${describeKernel(k)}${shadowed(k, selector)}` },
    headersLack.length
      ? { ok: false, required: true, what: `headers ${selector}`, detail: `missing: ${headersLack.join(', ')}`, fix }
      : { ok: true, required: true, what: `headers ${selector}`, detail: `${k.headers} (compiler ${headersCompiler(k.headers!) ?? 'gcc'})` },
    modulesLack.length
      ? { ok: false, required: true, what: `modules ${selector}`, detail: `missing in ${k.modulesDir}: ${modulesLack.join(', ')}`, fix: has9p(k) ? fix : 'use a kernel built with CONFIG_9P_FS and CONFIG_NET_9P_VIRTIO' }
      : { ok: true, required: true, what: `modules ${selector}`, detail: `${k.modulesDir} (virtio-9p as module or built in)` },
  ];
  if (!kernelConfig(k)) lines.push({ ok: false, required: false, what: `config ${selector}`, detail: `no config-${k.release} beside ${k.image}: grades run without the memory checks` });
  return { lines, kernel: k };
}

/** The running kernel: only information (`--kernel host` boots it when its image can be read). */
function checkHostKernel(): DoctorLine {
  const found = probeKernel('host');
  return found instanceof LabError
    ? { ok: false, required: false, what: 'kernel host', detail: found.message }
    : { ok: true, required: false, what: 'kernel host', detail: describeKernel(found) };
}

async function checkKvm(k: Kernel): Promise<DoctorLine> {
  const { path } = await ensureInitramfs(k);
  const v = await accelVerdict(k, await bootImage(k.image), path, true);
  return v.accel === 'kvm'
    ? { ok: true, required: false, what: 'kvm', detail: v.reason }
    : { ok: false, required: false, what: 'kvm', detail: `${v.reason}; guests run under TCG (slower, still correct)`, fix: 'on your own Linux machine: enable virtualization in firmware and add yourself to the kvm group' };
}

/** The YNL lesson's peer: the kernel's YNL client and schemas, extracted by setup, and the Python modules it imports. */
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

/** Runs every check; KVM is probed with the default kernel. */
export async function runDoctor(): Promise<DoctorLine[]> {
  const lines = [await checkQemu(), await checkBusybox()];
  const probe = probeKernel(defaultKernelSelector());
  const labHasAny = !(probe instanceof LabError);
  for (const { selector } of KNOWN_KERNELS) lines.push(...checkKernel(selector, labHasAny).lines);
  // Where the running kernel is the lab's kernel (no Debian one), it gets the full checks.
  lines.push(...(defaultKernelSelector() === 'host' ? checkKernel('host', false).lines : [checkHostKernel()]));
  lines.push(await checkYnl(), checkCapture());
  if (!(probe instanceof LabError) && lines[0]?.ok && lines[1]?.ok) lines.push(await checkKvm(probe));
  return lines;
}
