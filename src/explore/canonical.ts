/**
 * The canonical fingerprint of a state: a 64-bit hash of its snapshot in which what no op can
 * tell apart is made equal, so that the state space of a small world is finite and every
 * state is counted once.
 *
 * - Allocation handles are symmetric: a handle is the index of the op that made the
 *   allocation, so two paths to the same memory layout name its allocations differently. The
 *   fingerprint lists allocations by pfn (live allocations are disjoint, so the first pfn names
 *   one) and leaves the handle out. The alphabet names targets in the same pfn order
 *   (src/explore/alphabet.ts), so renamed states have renamed, equal futures.
 * - Addresses are not symmetric (buddies, pageblocks and CMA windows depend on them): pfns,
 *   list order and pinnedPfn are hashed as they are.
 * - Data tokens are step numbers (token = step + 1), so the same data written at another step
 *   would make a new state at every depth. What an op can observe is only whether the
 *   allocation was written (`check` compares, an unwritten one has nothing to compare) and
 *   whether its frames still hold its token: the fingerprint hashes those two facts.
 * - Behaviour counters are not state (Allocator.behaviours() is a report) and are left out.
 *
 * Everything else in the snapshot — free lists in list order, nr_free, vmstat counters,
 * pageblock letters, reserved ranges, CMA bitmaps, used and maxchunk — is hashed as it is.
 * The encoding is a list of 32-bit words (Words); two lanes of 32-bit multiply-rotate mixing
 * (MurmurHash3's round with two constant sets) hash it into the two halves (hashWords).
 */
import type { AllocationSnapshot, Snapshot } from '../core/snapshot.ts';
import type { AllocationKind } from '../core/op.ts';
import { migratetypeLetter } from '../core/migratetype.ts';

/** A fingerprint: two unsigned 32-bit halves (a JS number holds 53 bits, not 64). */
export interface Fingerprint {
  high: number;
  low: number;
}

export const KIND_CODE: Record<AllocationKind, number> = { pages: 1, cma: 2, dma: 3 };
export const AREA_STATE_CODE = { active: 1, failed: 2, inactive: 3 } as const;
/** The char code of each pageblock letter, by migratetype (3 type bits: 0..7). */
export const LETTER_CODES: readonly number[] = Array.from({ length: 8 }, (_, migratetype) =>
  migratetypeLetter(migratetype).charCodeAt(0),
);
/** What an unpinned allocation hashes in place of its pinnedPfn. */
export const UNPINNED_CODE = -2;

/** What the fingerprint keeps of an allocation's data: never written, intact, or not. */
export function dataCode(allocation: AllocationSnapshot): number {
  return dataCodeOf(allocation.token, allocation.frameToken);
}

/** dataCode() of a token and the frames' common token (-1: they differ). */
export function dataCodeOf(token: number, frameToken: number): number {
  if (token === 0) return 0;
  if (frameToken === token) return 1;
  return frameToken === -1 ? 2 : 3;
}

/**
 * A state's encoding as 32-bit words, written into one reused Int32Array (no object per state).
 * Any int32 or uint32 may be written: a uint32 is stored as the int32 with the same bits, so
 * two encodings are equal exactly when their words are, and the hash reads both alike.
 */
export class Words {
  words = new Int32Array(256);
  length = 0;

  reset(): void {
    this.length = 0;
  }

  word(value: number): void {
    if (this.length === this.words.length) this.#grow();
    this.words[this.length++] = value;
  }

  /** Equal word for word over [0, length). */
  equals(other: Words): boolean {
    if (this.length !== other.length) return false;
    const a = this.words;
    const b = other.words;
    for (let i = 0; i < this.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  #grow(): void {
    const grown = new Int32Array(this.words.length * 2);
    grown.set(this.words);
    this.words = grown;
  }
}

/**
 * The 64-bit fingerprint of words [0, end): two lanes of 32-bit multiply-rotate mixing
 * (MurmurHash3's round with two constant sets), then fmix32 of each lane with the count. One
 * tight loop over a typed array: a few nanoseconds per word.
 */
export function hashWords(words: Int32Array, end: number, into: Fingerprint): void {
  let high = 0x9747b28c;
  let low = 0x2f3a51d7;
  for (let i = 0; i < end; i++) {
    const value = words[i];
    let k = Math.imul(value, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    let h = high ^ k;
    h = (h << 13) | (h >>> 19);
    high = (Math.imul(h, 5) + 0xe6546b64) | 0;
    let j = Math.imul(value ^ 0x5bd1e995, 0x85ebca77);
    j = (j << 13) | (j >>> 19);
    j = Math.imul(j, 0xc2b2ae3d);
    let g = low ^ j;
    g = (g << 17) | (g >>> 15);
    low = (Math.imul(g, 9) + 0x165667b1) | 0;
  }
  into.high = fmix(high ^ end) >>> 0;
  into.low = fmix(low ^ Math.imul(end, 0x27d4eb2f)) >>> 0;
}

/** MurmurHash3's fmix32 finalizer: every input bit reaches every output bit. */
function fmix(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * Every variable-length part is preceded by its length (zones, orders, lists, bitmaps, areas,
 * allocations), and a null maxchunk has a flag word: the encoding is injective, so equal words
 * are equal snapshots (outside the fields it leaves out), not just likely ones.
 */
function hashZones(out: Words, snapshot: Snapshot): void {
  out.word(snapshot.zones.length);
  for (const zone of snapshot.zones) {
    out.word(zone.freeLists.length);
    for (const lists of zone.freeLists) {
      out.word(lists.length);
      for (const list of lists) {
        out.word(list.length);
        for (let i = 0; i < list.length; i++) out.word(list[i]);
      }
    }
    out.word(zone.nrFree.length);
    for (const nrFree of zone.nrFree) out.word(nrFree);
    out.word(zone.nrFreePages);
    out.word(zone.nrFreeCmaPages);
    out.word(zone.nrIsolatePageblock);
    out.word(zone.managedPages);
  }
}

/** Indices of snapshot.allocations in ascending pfn order (insertion sort: a handful). */
export function allocationsByPfn(allocations: readonly AllocationSnapshot[]): number[] {
  const order: number[] = [];
  for (let i = 0; i < allocations.length; i++) {
    let at = order.length;
    while (at > 0 && allocations[order[at - 1]].pfn > allocations[i].pfn) at--;
    order.splice(at, 0, i);
  }
  return order;
}

function hashAllocations(out: Words, allocations: readonly AllocationSnapshot[]): void {
  out.word(allocations.length);
  for (const index of allocationsByPfn(allocations)) {
    const a = allocations[index];
    out.word(KIND_CODE[a.kind]);
    out.word(a.pfn);
    out.word(a.pageCount);
    out.word(a.order);
    out.word(a.migratetype);
    out.word(a.sourceList);
    out.word(a.area);
    out.word(a.pinned ? a.pinnedPfn : UNPINNED_CODE);
    out.word(dataCode(a));
  }
}

function hashCma(out: Words, snapshot: Snapshot): void {
  out.word(snapshot.cma.length);
  for (const area of snapshot.cma) {
    out.word(area.basePfn);
    out.word(area.count);
    out.word(AREA_STATE_CODE[area.state]);
    out.word(area.bitmap.length);
    for (const word of area.bitmap) out.word(word);
    out.word(area.used);
    out.word(area.maxchunk === null ? 0 : 1);
    out.word(area.maxchunk ?? 0);
  }
  out.word(snapshot.totalcmaPages);
}

/** The canonical fingerprint of `snapshot`, written into `into`. */
export function fingerprintSnapshot(snapshot: Snapshot, into: Fingerprint): void {
  const out = new Words();
  encodeSnapshot(snapshot, out);
  hashWords(out.words, out.length, into);
}

/** Appends the canonical encoding of `snapshot` to `out`: what fingerprintSnapshot() hashes. */
export function encodeSnapshot(snapshot: Snapshot, out: Words): void {
  hashZones(out, snapshot);
  const letters = snapshot.pageblocks;
  out.word(letters.length);
  for (let i = 0; i < letters.length; i++) out.word(letters.charCodeAt(i));
  out.word(snapshot.reserved.length);
  for (const range of snapshot.reserved) {
    out.word(range.startPfn);
    out.word(range.endPfn);
  }
  hashAllocations(out, snapshot.allocations);
  hashCma(out, snapshot);
}

/**
 * Appends what the canonical encoding leaves out: per allocation in the same pfn order, its
 * handle, its token, its frames' token, its pin bit and its raw pinnedPfn (the canonical form
 * folds the last two into one word, -2 when unpinned). The explorer compares model and impl on
 * both encodings (src/explore/digest.ts), which together hold every field of the snapshot that
 * an op can change.
 */
export function encodeNaming(snapshot: Snapshot, out: Words): void {
  const allocations = snapshot.allocations;
  out.word(allocations.length);
  for (const index of allocationsByPfn(allocations)) {
    const a = allocations[index];
    out.word(a.id);
    out.word(a.token);
    out.word(a.frameToken);
    out.word(a.pinned ? 1 : 0);
    out.word(a.pinnedPfn);
  }
}
