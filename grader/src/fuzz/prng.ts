// A small seeded PRNG (mulberry32): the same seed gives the same datagrams, so a fuzz run
// that found a fault can be replayed exactly.

/** Random source used by the mutators: floats in [0, 1). */
export type Rng = () => number;

export function prng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [0, n). */
export function int(rnd: Rng, n: number): number {
  return Math.floor(rnd() * n);
}

/** One element of `xs`. */
export function pick<T>(rnd: Rng, xs: readonly T[]): T {
  return xs[int(rnd, xs.length)]!;
}

/** `n` random bytes. */
export function bytes(rnd: Rng, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = int(rnd, 256);
  return b;
}

/** A seeded source with its helpers bound: what a check's own fuzz round draws from. */
export interface Random {
  /** A float in [0, 1). */
  next: Rng;
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
  bytes(n: number): Buffer;
}

export function seeded(seed: number): Random {
  const next = prng(seed);
  return { next, int: (n) => int(next, n), pick: (xs) => pick(next, xs), bytes: (n) => bytes(next, n) };
}
