// Seeded PRNG (mulberry32) and id helpers, so the same seed always builds the same tenant.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  int(maxExclusive: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
  /** 32 lowercase hex characters, the shape of ISC object ids. */
  hex32(): string;
  /** A version-4 UUID, the shape of ISC task and job ids. */
  uuid(): string;
}

/** Two hex digits per byte value: building 10,000 identities calls hex formatting ~100,000 times. */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export function createRng(seed: number): Rng {
  // State in an Int32Array: a plain `let` above 2^31 would box a heap number on every draw.
  const state = new Int32Array([seed | 0]);
  const u32 = (): number => {
    state[0] = (state[0] as number) + 0x6d2b79f5;
    let t = state[0] as number;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const hex8 = (): string => {
    const v = u32();
    return (
      (HEX[v >>> 24] as string) +
      (HEX[(v >>> 16) & 255] as string) +
      (HEX[(v >>> 8) & 255] as string) +
      (HEX[v & 255] as string)
    );
  };
  const next = (): number => u32() / 4294967296;
  return {
    next,
    int: (maxExclusive) => Math.floor(next() * maxExclusive),
    pick: (items) => {
      if (items.length === 0) throw new Error("pick from an empty list");
      return items[Math.floor(next() * items.length)] as (typeof items)[number];
    },
    chance: (probability) => next() < probability,
    hex32: () => hex8() + hex8() + hex8() + hex8(),
    uuid: () => {
      const h = hex8() + hex8() + hex8() + hex8();
      const variant = "89ab"[u32() % 4] ?? "8";
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
  };
}
