/**
 * mulberry32: a small, fast, seeded PRNG (the C yardstick uses the same one). Op sequences are
 * drawn from it inside a fast-check arbitrary (the arbitrary draws the 32-bit seed), because
 * fast-check's `gen()` compares every earlier draw's arguments on each draw — quadratic in the
 * number of draws, too slow for hundreds of ops per run.
 */
export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A uniform 32-bit unsigned integer. */
  next(): number {
    let z = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return (z ^ (z >>> 14)) >>> 0;
  }

  /** A uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor((this.next() / 0x1_0000_0000) * (max - min + 1));
  }

  bool(): boolean {
    return (this.next() & 1) === 1;
  }
}
