/**
 * The set of visited states as 64-bit fingerprints (TLC's FPSet, stateright's visited set): an
 * open-addressing table in one Uint32Array, two words per slot (high, low), linear probing.
 *
 * Why this shape (STYLE G15):
 * - 8 bytes per slot and no object per state: the explorer's memory budget is ≤ 16 bytes per
 *   stored state, fingerprints and BFS tree together (src/explore/stateTree.ts adds 2–4).
 * - The capacity is any integer, not a power of two: the home slot is the high word scaled to
 *   the capacity (Lemire's "fastrange", a multiply instead of a mask), so the table can grow by
 *   1.5x and keep its load between 0.6 and 0.9 — 8.9 to 13.3 bytes per fingerprint. A power of
 *   two would leave it at 0.45 just after a doubling (17.8 bytes).
 * - Linear probing at load ≤ 0.9 costs a few probes, all in one or two cache lines; that is
 *   noise next to the microseconds a transition costs (restore, two applies, two snapshots).
 * - (0, 0) marks an empty slot, so a fingerprint (0, 0) is stored as (0, 1): one more collision
 *   pair in 2^64, counted in nothing.
 */
import { assert } from '../core/assert.ts';

const LOAD_MAX = 0.9;
const GROWTH = 1.5;
const CAPACITY_MIN = 1024;
const TWO_TO_32 = 4294967296;

export class FingerprintSet {
  #slots: Uint32Array;
  #capacity: number;
  #size = 0;

  constructor(expected = 0) {
    this.#capacity = Math.max(CAPACITY_MIN, Math.ceil(expected / LOAD_MAX));
    this.#slots = new Uint32Array(2 * this.#capacity);
  }

  get size(): number {
    return this.#size;
  }

  get byteLength(): number {
    return this.#slots.byteLength;
  }

  /** Adds (high, low); true when it was not there before. */
  add(highIn: number, lowIn: number): boolean {
    const high = highIn >>> 0;
    const low = highIn === 0 && lowIn === 0 ? 1 : lowIn >>> 0;
    if (this.#size + 1 > this.#capacity * LOAD_MAX) this.#grow();
    const slots = this.#slots;
    const capacity = this.#capacity;
    let slot = homeSlot(high, capacity);
    for (let probes = 0; probes < capacity; probes++) {
      const h = slots[2 * slot];
      const l = slots[2 * slot + 1];
      if (h === 0 && l === 0) {
        slots[2 * slot] = high;
        slots[2 * slot + 1] = low;
        this.#size++;
        return true;
      }
      if (h === high && l === low) return false;
      slot = slot + 1 === capacity ? 0 : slot + 1;
    }
    throw new Error('FingerprintSet: table full (the load bound should make this impossible)');
  }

  has(highIn: number, lowIn: number): boolean {
    const high = highIn >>> 0;
    const low = highIn === 0 && lowIn === 0 ? 1 : lowIn >>> 0;
    const slots = this.#slots;
    const capacity = this.#capacity;
    let slot = homeSlot(high, capacity);
    for (let probes = 0; probes < capacity; probes++) {
      const h = slots[2 * slot];
      const l = slots[2 * slot + 1];
      if (h === 0 && l === 0) return false;
      if (h === high && l === low) return true;
      slot = slot + 1 === capacity ? 0 : slot + 1;
    }
    return false;
  }

  /** Every stored fingerprint as a 16-digit hex string, in no particular order (tests). */
  *fingerprints(): IterableIterator<string> {
    for (let slot = 0; slot < this.#capacity; slot++) {
      const h = this.#slots[2 * slot];
      const l = this.#slots[2 * slot + 1];
      if (h !== 0 || l !== 0) yield fingerprintHex(h, l);
    }
  }

  #grow(): void {
    const old = this.#slots;
    const oldCapacity = this.#capacity;
    const oldSize = this.#size;
    this.#capacity = Math.ceil(oldCapacity * GROWTH);
    this.#slots = new Uint32Array(2 * this.#capacity);
    this.#size = 0;
    for (let slot = 0; slot < oldCapacity; slot++) {
      const h = old[2 * slot];
      const l = old[2 * slot + 1];
      if (h !== 0 || l !== 0) this.add(h, l);
    }
    assert(this.#size === oldSize, `FingerprintSet: rehash kept ${this.#size} of ${oldSize}`);
  }
}

/** The slot a fingerprint starts probing at: high / 2^32 scaled to the capacity. */
function homeSlot(high: number, capacity: number): number {
  const slot = Math.floor((high * capacity) / TWO_TO_32);
  return slot < capacity ? slot : capacity - 1;
}

export function fingerprintHex(high: number, low: number): string {
  return (high >>> 0).toString(16).padStart(8, '0') + (low >>> 0).toString(16).padStart(8, '0');
}

/**
 * TLC's "calculated (optimistic)" probability that two of the states told apart were merged by
 * a fingerprint collision: d · (g − d) / 2^64 for d distinct states among g generated (every
 * transition checked against the set is one chance to collide with one of the d).
 */
export function collisionProbability(distinct: number, generated: number): number {
  return (distinct * Math.max(0, generated - distinct)) / 2 ** 64;
}
