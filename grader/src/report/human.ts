// The report a person reads: ✓/✗ per check, points, evidence, hints, timings.

import { bold, dim, FAIL, formatFinding, ms, PASS, red, WARN, yellow } from '../../../kernel/src/index.js';
import type { CheckReport, GradeReport, RunReport, StyleReport } from './types.js';
import { healthMeaning } from '../health-causes.js';
import { withoutBytes } from './viewer-link.js';

const MARK = { pass: PASS, fail: FAIL, error: red('!'), skip: dim('-') } as const;

function indent(text: string, by = '      '): string {
  return text.split('\n').map((l) => `${by}${l}`).join('\n');
}

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v, null, 2);
}

function evidenceLines(c: CheckReport, verbose: boolean, link: LinkFormat): string[] {
  const out: string[] = [];
  const e = c.evidence;
  if (e?.expected !== undefined) out.push(`expected: ${show(e.expected)}`);
  if (e?.actual !== undefined) out.push(`actual:   ${show(e.actual)}`);
  for (const [i, m] of (e?.messages?.slice(0, verbose ? 50 : 4) ?? []).entries()) {
    out.push(`message:  ${show(withoutBytes(m))}`);
    const view = c.viewer?.find((v) => v.message === i);
    if (view) out.push(dim(`viewer:   ${link(view.link)}`));
  }
  for (const n of e?.notes?.slice(0, verbose ? 50 : 8) ?? []) out.push(n);
  return out;
}

/** What the module and client exchanged in a run that did not pass, from its --pcap capture. */
function wireLines(r: RunReport, verbose: boolean): string[] {
  const cap = r.capture;
  if (!cap) return [];
  if (cap.problem) return [dim(`capture: ${cap.problem}`)];
  const pairing = `${r.pairing.kernel} module + ${r.pairing.client} client`;
  const shown = cap.shown ?? [];
  const out = [`on the wire (${pairing}, ${shown.length} datagram${shown.length === 1 ? '' : 's'} on the lesson's unit, from ${cap.file}):`];
  for (const d of shown.slice(0, verbose ? 50 : 6)) {
    const msgs = d.messages.map((m) => `${m.name ?? `type ${m.type}`} len ${m.len} flags ${m.flags} seq ${m.seq} pid ${m.pid}${m.ack ? ` ${m.ack.error}${m.ack.message ? ` "${m.ack.message}"` : ''}` : ''}`);
    out.push(`  ${d.to === 'kernel' ? '→ kernel' : '← user  '} ${msgs.join('; ') || d.decodeError || '(empty)'}`);
  }
  if (!verbose && shown.length > 6) out.push(dim(`  … ${shown.length - 6} more (--verbose shows up to 50)`));
  return out;
}

function faultLine(c: CheckReport): string | undefined {
  if (!c.fault) return undefined;
  // A run that never ran is shown as such, so the line never blames a side it did not test.
  const runs = c.runs.map((r) => `${MARK[r.status]} ${r.pairing.kernel} module + ${r.pairing.client} client${r.status === 'skip' ? ' (not run)' : ''}`).join(', ');
  const who = { kernel: 'your module', client: 'your client', both: 'both sides (or how they work together)' }[c.fault];
  return `at fault: ${who} — ${runs}`;
}

/**
 * The lines of a health excerpt shown. SLUB's reports open with rules, blank lines and the
 * allocator's own frames: without --verbose they show what the bug was, where the object was
 * allocated and freed, and the module's frames.
 */
function shownExcerpt(excerpt: string, verbose: boolean): string {
  const all = excerpt.split('\n');
  if (verbose) return all.slice(0, 48).join('\n');
  if (!/^(BUG [\w.:-]+ \(|\[[\w ]+ overwritten\] )/.test(all[0] ?? '')) return all.slice(0, 8).join('\n');
  return all.filter((l) => /^(BUG |\[[\w ]+ overwritten\] |INFO: |0x[0-9a-f]+-0x[0-9a-f]+ |Allocated in |Freed in )|\[\w+\]$/.test(l)).slice(0, 8).join('\n');
}

/** How the report shows a hint link (default: as the report has it). */
export type LinkFormat = (hintLink: string) => string;

export function formatCheck(c: CheckReport, verbose = false, link: LinkFormat = (l) => l): string {
  const pts = c.status === 'pass' ? `${c.points}/${c.points}` : `0/${c.points}`;
  const lines = [`  ${MARK[c.status]} ${c.title} ${dim(`[${c.id}] ${pts} pt · ${ms(c.durationMs)}`)}`];
  if (c.status !== 'pass') {
    if (c.message) lines.push(indent(c.status === 'error' ? yellow(c.message) : c.message));
    const fault = faultLine(c);
    if (fault) lines.push(indent(fault));
    const ev = evidenceLines(c, verbose, link);
    if (ev.length) lines.push(indent(ev.join('\n')));
    for (const r of c.runs) {
      for (const h of r.health) {
        const meaning = healthMeaning(h.kind);
        lines.push(indent(`${red(`kernel ${h.kind}:`)}\n${indent(shownExcerpt(h.excerpt, verbose), '  ')}${meaning ? `\n${indent(yellow(meaning), '  ')}` : ''}`));
      }
    }
    for (const r of c.runs) for (const g of r.gate) lines.push(indent(`${red('health gate:')} ${g}`));
    for (const r of c.runs) if (r.status !== 'pass' && r.status !== 'skip') lines.push(...wireLines(r, verbose).map((l) => indent(l)));
    if (c.status === 'fail') lines.push(indent(`${yellow('hint:')} ${c.hint} ${dim(`→ ${link(c.hintLink)}`)}`));
  } else if (verbose || c.notes.length) {
    for (const n of c.notes) lines.push(indent(dim(n)));
  }
  return lines.join('\n');
}

/** Findings shown without --verbose: what a reviewer's bot would say first. */
const STYLE_SHOWN = 5;

/** The unscored style section: checkpatch --strict and sparse on the module's sources. */
export function formatStyle(s: StyleReport, verbose = false): string {
  const ran = (['checkpatch', 'sparse'] as const).filter((t) => !s.notRun.some((n) => n.tool === t));
  const head = `  ${bold('Style')} ${dim(`(not scored${ran.length ? `: ${ran.map((t) => (t === 'checkpatch' ? 'checkpatch --strict' : t)).join(', ')}` : ''})`)}`;
  const lines = [head];
  const shown = verbose ? s.findings : s.findings.slice(0, STYLE_SHOWN);
  const mark = { error: red('✗'), warning: yellow('!'), check: dim('·') } as const;
  for (const f of shown) lines.push(`    ${mark[f.severity]} ${formatFinding(f)}`);
  if (shown.length < s.findings.length) lines.push(dim(`    … and ${s.findings.length - shown.length} more (--verbose shows all)`));
  if (!s.findings.length && ran.length) lines.push(`    ${PASS} nothing to say`);
  for (const n of s.notRun) lines.push(dim(`    - ${n.tool} did not run: ${n.reason}`));
  return lines.join('\n');
}

/** "the kernel panicked during a and b" (each panic cost a guest), or nothing. */
function panicLine(r: GradeReport): string {
  const checks = [...new Set(r.health.filter((h) => h.kind === 'panic').map((h) => h.check))];
  return checks.length ? `${WARN} the kernel panicked during ${checks.join(' and ')}\n` : '';
}

function guestWords(t: GradeReport['timings']): string {
  const boots = `${t.boots} boot${t.boots === 1 ? '' : 's'}`;
  return t.warmGuest ? (t.boots ? `warm guest, then ${boots}` : 'warm guest, no boot') : boots;
}

/**
 * After a failure, where the next level of help is: the first failed check that has a
 * level-2 hint (`moreHelp`, the lesson's checks with `hint2`).
 */
function moreHelpLine(r: GradeReport, moreHelp: ReadonlySet<string>): string[] {
  const failed = r.checks.find((c) => c.status === 'fail' && moreHelp.has(c.id));
  return failed ? [`${yellow('stuck?')} npm run grade ${r.lesson} -- --hint ${failed.id}  ${dim('(a more specific hint; --hint <id> for any check above)')}`] : [];
}

export function formatReport(r: GradeReport, verbose = false, link?: LinkFormat, moreHelp: ReadonlySet<string> = new Set()): string {
  const head = `${bold(`${r.lesson}: ${r.title}`)} ${dim(`(${r.target}, kernel ${r.kernel}, ${r.accel.toUpperCase()})`)}`;
  const body = r.checks.map((c) => formatCheck(c, verbose, link)).join('\n');
  const full = r.score === r.total;
  const score = `Score: ${r.score}/${r.total}`;
  const t = r.timings;
  return [
    head,
    body,
    ...(r.style ? [formatStyle(r.style, verbose)] : []),
    '',
    full ? `${PASS} ${bold(score)}` : `${panicLine(r)}${FAIL} ${bold(score)}`,
    ...moreHelpLine(r, moreHelp),
    dim(`build ${ms(t.buildMs)} · guest ${ms(t.guestMs)} (${guestWords(t)}) · total ${ms(t.totalMs)}`),
    dim(`console log: ${r.logFile}`),
    ...(r.captures ? [dim(`captures (one pcap per run, for Wireshark or tshark -r): ${r.captures}`)] : []),
  ].join('\n');
}
