/**
 * Per-pfn and per-pageblock maps that several invariants read: which free block, allocation or
 * reserved range covers each page, which free block starts at each pfn, and each pageblock's
 * type. Built once per snapshot in a few tight loops over typed arrays (no object per page),
 * because the runner checks every invariant after every step (DESIGN.md "Scale").
 *
 * Lifetime: the maps live in scratch typed arrays reused from call to call, because allocating
 * fresh ones cost more than filling them on small worlds (about 10 µs of 12 µs at 64 pages).
 * So a Coverage is valid until the next coverageOf() call: an invariant takes it at the top of
 * check() and drops it when check() returns. coverageOf() rebuilds it on every call — an
 * implementation may hand out one snapshot object and mutate it in place, so object identity
 * proves nothing — except inside shareCoverage(), which checkInvariants() uses to build it once
 * for all the invariants of one step.
 *
 * Garbage in does not crash: pfns and orders outside the world are clipped here and reported
 * by the invariant that owns them (free-blocks, conservation).
 */
import { MIGRATETYPE_LETTERS } from '../core/migratetype.ts';
import type { Snapshot } from '../core/snapshot.ts';
import type { Pfn } from '../core/world.ts';
import { describeAllocation, typeName } from './findings.ts';

/** What covers a page (coverKind). */
export const COVER_NONE = 0;
export const COVER_FREE = 1;
export const COVER_ALLOCATION = 2;
export const COVER_RESERVED = 3;

/**
 * Every entry of every free list, flattened: entry i < count is (pfn[i], order[i], list[i],
 * zone[i]). The arrays may be longer than `count` (scratch capacity).
 */
export interface FreeBlockTable {
  count: number;
  pfn: Int32Array;
  order: Int32Array;
  /** The migratetype of the list the entry is on. */
  list: Int32Array;
  /** Index of the zone whose lists hold it. */
  zone: Int32Array;
}

/** Per-pfn arrays have exactly snapshot.pages entries; pageblockTypes one per map letter. */
export interface Coverage {
  blocks: FreeBlockTable;
  /** Per pfn: the free block listed first with its head here, or -1. */
  headBlock: Int32Array;
  /** Free blocks whose head pfn an earlier list entry already names (listed twice). */
  repeatedBlocks: number[];
  /** Per pfn: COVER_* of the last item that covers it. */
  coverKind: Uint8Array;
  /** Per pfn: that item's index — a free block, snapshot.allocations, snapshot.reserved. */
  coverIndex: Int32Array;
  /** Per pfn: how many items cover it (saturates at 255). */
  coverCount: Uint8Array;
  /** Per pageblock: its migratetype, or -1 for a letter that names none. */
  pageblockTypes: Int8Array;
}

let scratch: Coverage | null = null;
/** The snapshot whose coverage is built once for a run of invariants (shareCoverage). */
let sharedSnapshot: Snapshot | null = null;
let sharedBuilt = false;

export function coverageOf(snapshot: Snapshot): Coverage {
  if (scratch !== null && sharedBuilt && snapshot === sharedSnapshot) return scratch;
  scratch = buildCoverage(snapshot, scratch);
  sharedBuilt = snapshot === sharedSnapshot;
  return scratch;
}

/** Runs `run` with one coverage of `snapshot` shared by every coverageOf(snapshot) inside. */
export function shareCoverage<T>(snapshot: Snapshot, run: () => T): T {
  sharedSnapshot = snapshot;
  sharedBuilt = false;
  try {
    return run();
  } finally {
    sharedSnapshot = null;
    sharedBuilt = false;
  }
}

function buildCoverage(snapshot: Snapshot, previous: Coverage | null): Coverage {
  const pages = Math.max(0, snapshot.pages);
  const coverage = previous !== null && previous.coverKind.length === pages
    ? resetCoverage(previous)
    : newCoverage(pages);
  coverage.blocks = freeBlockTable(snapshot, coverage.blocks);
  coverage.pageblockTypes = pageblockTypes(snapshot.pageblocks, coverage.pageblockTypes);
  const { blocks } = coverage;
  for (let block = 0; block < blocks.count; block++) {
    const pfn = blocks.pfn[block];
    if (pfn >= 0 && pfn < pages) {
      if (coverage.headBlock[pfn] >= 0) coverage.repeatedBlocks.push(block);
      else coverage.headBlock[pfn] = block;
    }
    cover(coverage, pfn, pagesOfOrder(blocks.order[block]), COVER_FREE, block);
  }
  snapshot.allocations.forEach((allocation, index) => {
    cover(coverage, allocation.pfn, allocation.pageCount, COVER_ALLOCATION, index);
  });
  snapshot.reserved.forEach((range, index) => {
    cover(coverage, range.startPfn, range.endPfn - range.startPfn, COVER_RESERVED, index);
  });
  return coverage;
}

function newCoverage(pages: number): Coverage {
  const empty = new Int32Array(0);
  return {
    blocks: { count: 0, pfn: empty, order: empty, list: empty, zone: empty },
    headBlock: new Int32Array(pages).fill(-1),
    repeatedBlocks: [],
    coverKind: new Uint8Array(pages),
    coverIndex: new Int32Array(pages).fill(-1),
    coverCount: new Uint8Array(pages),
    pageblockTypes: new Int8Array(0),
  };
}

function resetCoverage(coverage: Coverage): Coverage {
  coverage.headBlock.fill(-1);
  coverage.repeatedBlocks = [];
  coverage.coverKind.fill(COVER_NONE);
  coverage.coverIndex.fill(-1);
  coverage.coverCount.fill(0);
  return coverage;
}

function freeBlockTable(snapshot: Snapshot, scratch: FreeBlockTable): FreeBlockTable {
  let count = 0;
  for (const zone of snapshot.zones) {
    for (const lists of zone.freeLists) for (const list of lists) count += list.length;
  }
  // Grown by doubling, never shrunk: the entry count moves by a few per step.
  const table = count <= scratch.pfn.length ? scratch : {
    count,
    pfn: new Int32Array(count * 2),
    order: new Int32Array(count * 2),
    list: new Int32Array(count * 2),
    zone: new Int32Array(count * 2),
  };
  table.count = count;
  let block = 0;
  for (let zoneIndex = 0; zoneIndex < snapshot.zones.length; zoneIndex++) {
    const freeLists = snapshot.zones[zoneIndex].freeLists;
    for (let order = 0; order < freeLists.length; order++) {
      for (let migratetype = 0; migratetype < freeLists[order].length; migratetype++) {
        for (const pfn of freeLists[order][migratetype]) {
          table.pfn[block] = pfn;
          table.order[block] = order;
          table.list[block] = migratetype;
          table.zone[block] = zoneIndex;
          block++;
        }
      }
    }
  }
  return table;
}

function pageblockTypes(letters: string, scratch: Int8Array): Int8Array {
  const types = scratch.length === letters.length ? scratch : new Int8Array(letters.length);
  for (let block = 0; block < letters.length; block++) {
    types[block] = MIGRATETYPE_LETTERS.indexOf(letters[block]);
  }
  return types;
}

/** Marks [firstPfn, firstPfn + pageCount) ∩ [0, pages) as covered by one item. */
function cover(
  coverage: Coverage, firstPfn: Pfn, pageCount: number, kind: number, index: number,
): void {
  const endPfn = Math.min(coverage.coverKind.length, firstPfn + pageCount);
  for (let pfn = Math.max(0, firstPfn); pfn < endPfn; pfn++) {
    coverage.coverKind[pfn] = kind;
    coverage.coverIndex[pfn] = index;
    if (coverage.coverCount[pfn] < 255) coverage.coverCount[pfn]++;
  }
}

/** 2^order pages; 2 ** order rather than 1 << order so that a corrupt order cannot wrap. */
export function pagesOfOrder(order: number): number {
  return 2 ** order;
}

/** Index of the zone spanning `pfn`, or -1. */
export function zoneIndexOf(snapshot: Snapshot, pfn: Pfn): number {
  return snapshot.zones.findIndex((zone) => zone.startPfn <= pfn && pfn < zone.endPfn);
}

/** Words for what covers `pfn` as the maps record it (the last item, when several do). */
export function describeCover(snapshot: Snapshot, coverage: Coverage, pfn: Pfn): string {
  const index = coverage.coverIndex[pfn];
  switch (coverage.coverKind[pfn]) {
    case COVER_FREE: return describeFreeBlock(coverage.blocks, index);
    case COVER_ALLOCATION: return describeAllocation(snapshot.allocations[index]);
    case COVER_RESERVED: {
      const range = snapshot.reserved[index];
      return `reserved range [${range.startPfn}, ${range.endPfn})`;
    }
    default: return 'nothing';
  }
}

/** "free block pfn 12 order 2 on the MOVABLE list". */
export function describeFreeBlock(blocks: FreeBlockTable, block: number): string {
  return `free block pfn ${blocks.pfn[block]} order ${blocks.order[block]}`
    + ` on the ${typeName(blocks.list[block])} list`;
}

/**
 * Every item covering `pfn`, described — a slow scan over all items, for the explanation of a
 * page covered twice (the maps keep only the last one).
 */
export function describeAllCovers(snapshot: Snapshot, coverage: Coverage, pfn: Pfn): string[] {
  const words: string[] = [];
  const { blocks } = coverage;
  for (let block = 0; block < blocks.count; block++) {
    const head = blocks.pfn[block];
    if (head <= pfn && pfn < head + pagesOfOrder(blocks.order[block])) {
      words.push(describeFreeBlock(blocks, block));
    }
  }
  for (const allocation of snapshot.allocations) {
    if (allocation.pfn <= pfn && pfn < allocation.pfn + allocation.pageCount) {
      words.push(describeAllocation(allocation));
    }
  }
  for (const range of snapshot.reserved) {
    if (range.startPfn <= pfn && pfn < range.endPfn) {
      words.push(`reserved range [${range.startPfn}, ${range.endPfn})`);
    }
  }
  return words;
}
