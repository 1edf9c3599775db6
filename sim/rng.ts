/**
 * Seeded randomness for the simulator: the same seed gives the same run.
 *
 *   mulberry32: a 32-bit state, state += 0x6D2B79F5 per draw, output mixed by
 *   two xor-shift-multiply rounds; uniform in [0, 1) with 2^32 steps.
 *   streams: each consumer (provider latency, mapping delays, backoff jitter)
 *   draws from its own generator seeded by FNV-1a(name) xor seed, so adding
 *   draws to one consumer does not shift another's.
 *   normal: Box–Muller, z = √(−2 ln u1) × cos(2π u2), u1 in (0, 1].
 */
export type Random = () => number;

export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** An independent generator for one consumer of randomness. */
export function stream(seed: number, name: string): Random {
  return mulberry32((fnv1a(name) ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0);
}

/** A standard normal draw. */
export function normal(random: Random): number {
  const u1 = 1 - random();
  const u2 = random();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Uniform in [min, max). */
export function uniform(random: Random, min: number, max: number): number {
  return min + (max - min) * random();
}
