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
 * Two lanes of 32-bit multiply-rotate mixing (MurmurHash3's round with two constant sets) give
 * the two halves; about 1 µs for a 16-page snapshot, allocating only a small index array.
 */
import type { AllocationSnapshot, Snapshot } from '../core/snapshot.ts';
import type { AllocationKind } from '../core/op.ts';

/** A fingerprint: two unsigned 32-bit halves (a JS number holds 53 bits, not 64). */
export interface Fingerprint {
  high: number;
  low: number;
}

const KIND_CODE: Record<AllocationKind, number> = { pages: 1, cma: 2, dma: 3 };
const AREA_STATE_CODE = { active: 1, failed: 2, inactive: 3 } as const;

/** What the fingerprint keeps of an allocation's data: never written, intact, or not. */
export function dataCode(allocation: AllocationSnapshot): number {
  if (allocation.token === 0) return 0;
  if (allocation.frameToken === allocation.token) return 1;
  return allocation.frameToken === -1 ? 2 : 3;
}

/** Two-lane streaming hash; `word` takes any int32 or uint32. */
class Hasher {
  high = 0x9747b28c;
  low = 0x2f3a51d7;
  count = 0;

  word(value: number): void {
    let k = Math.imul(value, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    let h = this.high ^ k;
    h = (h << 13) | (h >>> 19);
    this.high = (Math.imul(h, 5) + 0xe6546b64) | 0;
    let j = Math.imul(value ^ 0x5bd1e995, 0x85ebca77);
    j = (j << 13) | (j >>> 19);
    j = Math.imul(j, 0xc2b2ae3d);
    let g = this.low ^ j;
    g = (g << 17) | (g >>> 15);
    this.low = (Math.imul(g, 9) + 0x165667b1) | 0;
    this.count++;
  }

  finish(into: Fingerprint): void {
    into.high = fmix(this.high ^ this.count) >>> 0;
    into.low = fmix(this.low ^ Math.imul(this.count, 0x27d4eb2f)) >>> 0;
  }
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

function hashZones(hasher: Hasher, snapshot: Snapshot): void {
  for (const zone of snapshot.zones) {
    for (const lists of zone.freeLists) {
      for (const list of lists) {
        hasher.word(list.length);
        for (let i = 0; i < list.length; i++) hasher.word(list[i]);
      }
    }
    for (const nrFree of zone.nrFree) hasher.word(nrFree);
    hasher.word(zone.nrFreePages);
    hasher.word(zone.nrFreeCmaPages);
    hasher.word(zone.nrIsolatePageblock);
    hasher.word(zone.managedPages);
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

function hashAllocations(hasher: Hasher, allocations: readonly AllocationSnapshot[]): void {
  hasher.word(allocations.length);
  for (const index of allocationsByPfn(allocations)) {
    const a = allocations[index];
    hasher.word(KIND_CODE[a.kind]);
    hasher.word(a.pfn);
    hasher.word(a.pageCount);
    hasher.word(a.order);
    hasher.word(a.migratetype);
    hasher.word(a.sourceList);
    hasher.word(a.area);
    hasher.word(a.pinned ? a.pinnedPfn : -2);
    hasher.word(dataCode(a));
  }
}

function hashCma(hasher: Hasher, snapshot: Snapshot): void {
  for (const area of snapshot.cma) {
    hasher.word(area.basePfn);
    hasher.word(area.count);
    hasher.word(AREA_STATE_CODE[area.state]);
    for (const word of area.bitmap) hasher.word(word);
    hasher.word(area.used);
    hasher.word(area.maxchunk ?? -1);
  }
  hasher.word(snapshot.totalcmaPages);
}

/** The canonical fingerprint of `snapshot`, written into `into`. */
export function fingerprintSnapshot(snapshot: Snapshot, into: Fingerprint): void {
  const hasher = new Hasher();
  hashZones(hasher, snapshot);
  const letters = snapshot.pageblocks;
  hasher.word(letters.length);
  for (let i = 0; i < letters.length; i++) hasher.word(letters.charCodeAt(i));
  hasher.word(snapshot.reserved.length);
  for (const range of snapshot.reserved) {
    hasher.word(range.startPfn);
    hasher.word(range.endPfn);
  }
  hashAllocations(hasher, snapshot.allocations);
  hashCma(hasher, snapshot);
  hasher.finish(into);
}
