// Colour for people, plain text for pipes: off when stdout is not a TTY or NO_COLOR is set.

const enabled = process.stdout.isTTY === true && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';

function paint(code: number): (s: string) => string {
  return (s) => (enabled ? `\x1b[${code}m${s}\x1b[0m` : s);
}

export const green = paint(32);
export const red = paint(31);
export const yellow = paint(33);
export const dim = paint(2);
export const bold = paint(1);

export const PASS = green('✓');
export const FAIL = red('✗');
export const WARN = yellow('!');

/** Milliseconds as a short human duration: 840 ms, 3.2 s. */
export function ms(n: number | undefined): string {
  if (n === undefined) return '–';
  return n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(1)} s`;
}
