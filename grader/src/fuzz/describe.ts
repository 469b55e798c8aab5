// A fuzz report as lines for a person: the counts, and for a fault the health events, the
// window of datagrams it appeared in, the last of them and how to replay the run.

import type { FuzzReport } from './host.js';

export function describeReport(r: FuzzReport): string[] {
  const res = r.result;
  const head = `${r.lesson} ${r.target} (kernel ${r.kernel}): ${res.sent} datagrams in ${(res.ms / 1000).toFixed(1)} s, ${res.received} answers, ${res.sendErrors} refused, ${res.receiveErrors} receive errors`;
  if (r.outcome === 'clean') return [`✓ ${head}; no health event, module unloaded`];
  const lines = [`✗ ${head}: ${r.outcome === 'died' ? `the guest died (${res.sent} datagrams were confirmed sent before)` : 'unhealthy'}`];
  for (const h of res.health) lines.push(`    ${h.kind}: ${h.excerpt.split('\n').slice(0, 3).join(' | ')}`);
  for (const g of res.gate) lines.push(`    ${g}`);
  if (res.window && res.window.to - res.window.from === 1) lines.push(`    datagram #${res.window.from} did it (replayed alone from the seed in a fresh guest):`);
  else if (res.window) lines.push(`    the fault is among datagrams #${res.window.from}–#${res.window.to - 1}; the last of them:`);
  for (const d of r.lastDatagrams ?? []) lines.push(`      #${d.index} [${d.how.join(', ')}] ${d.hex.slice(0, 160)}${d.hex.length > 160 ? '…' : ''}`);
  lines.push(`    replay: ${r.replay}`);
  return lines;
}
