/**
 * The explorer's digest of the model's state (src/explore/digest.ts), read from the plain
 * ModelState: the same words, in the same order, that encodeSnapshot() and
 * encodeNaming() (src/explore/canonical.ts) write for modelSnapshot() — equal encodings, not
 * equivalent ones (properties/explore/digest.spec.ts). Each value is computed the way
 * model/snapshot.ts computes it, with the model's own debugfs functions for the CMA views.
 *
 * Why: it runs on every transition, to compare the model with impl without building either
 * snapshot (src/explore/explorer.ts says why that is enough); it allocates only the bitmap
 * words of each area (model/cmaDebug.ts) and the sorted allocation list.
 *
 * The model stays readable (STYLE G4): this file only reads its state, in src/explore/.
 */
import { cmaBitmapMaxno } from '../../model/cma.ts';
import { cmaDebugMaxchunk, cmaDebugUsed } from '../../model/cmaDebug.ts';
import { frameToken } from '../../model/snapshot.ts';
import {
  type Allocation,
  type CmaArea,
  type ModelState,
  OWNER_RESERVED,
} from '../../model/state.ts';
import { MIGRATE_CMA, migratetypeLetter } from '../core/migratetype.ts';
import {
  AREA_STATE_CODE,
  KIND_CODE,
  LETTER_CODES,
  UNPINNED_CODE,
  type Words,
  dataCodeOf,
} from './canonical.ts';

export class ModelDigester {
  readonly #state: () => ModelState;
  readonly #allocations: Allocation[] = [];

  /** `state` is read on each digest: the allocator may replace its state at boot. */
  constructor(state: () => ModelState) {
    this.#state = state;
  }

  /**
   * Writes the canonical encoding, then (unless told not to) the naming encoding, into `out`
   * (reset first); returns where the canonical part ends.
   */
  encode(out: Words, naming = true): number {
    const state = this.#state();
    const allocations = this.#sortAllocations(state);
    out.reset();
    hashZones(out, state);
    const pageblocks = state.pageblockMigratetype;
    out.word(pageblocks.length);
    for (let i = 0; i < pageblocks.length; i++) out.word(letterCode(pageblocks[i]));
    hashReserved(out, state);
    out.word(allocations.length);
    for (const allocation of allocations) hashAllocation(out, state, allocation);
    hashCma(out, state);
    const canonicalLength = out.length;
    if (!naming) return canonicalLength;
    out.word(allocations.length);
    for (const a of allocations) {
      out.word(a.id);
      out.word(a.token);
      out.word(frameToken(state, a));
      out.word(a.pinned ? 1 : 0);
      out.word(a.pinnedPfn);
    }
    return canonicalLength;
  }

  /** The live allocations by pfn, then id (the snapshot's id order, sorted stably by pfn). */
  #sortAllocations(state: ModelState): Allocation[] {
    const sorted = this.#allocations;
    sorted.length = 0;
    // Insertion by shifting, not splice(): splice returns a new array on every call.
    for (const allocation of state.allocations.values()) {
      let at = sorted.length;
      sorted.push(allocation);
      while (at > 0 && precedes(allocation, sorted[at - 1])) {
        sorted[at] = sorted[at - 1];
        at--;
      }
      sorted[at] = allocation;
    }
    return sorted;
  }
}

/** The char code of a pageblock's letter (migratetypeLetter), from a table for 0..7. */
function letterCode(migratetype: number): number {
  return LETTER_CODES[migratetype] ?? migratetypeLetter(migratetype).charCodeAt(0);
}

function precedes(a: Allocation, b: Allocation): boolean {
  return a.pfn < b.pfn || (a.pfn === b.pfn && a.id < b.id);
}

function hashZones(out: Words, state: ModelState): void {
  out.word(state.zones.length);
  for (const zone of state.zones) {
    out.word(zone.freeArea.length);
    for (const area of zone.freeArea) {
      out.word(area.freeList.length);
      for (const list of area.freeList) {
        out.word(list.length);
        for (let i = 0; i < list.length; i++) out.word(list[i]);
      }
    }
    out.word(zone.freeArea.length);
    for (const area of zone.freeArea) out.word(area.nrFree);
    out.word(zone.nrFreePages);
    out.word(zone.nrFreeCmaPages);
    out.word(zone.nrIsolatePageblock);
    out.word(zone.managedPages);
  }
}

/** The maximal runs of PageReserved pages (model/snapshot.ts reservedRanges()), as words. */
function hashReserved(out: Words, state: ModelState): void {
  const owner = state.owner;
  let runs = 0;
  for (let pfn = 0; pfn < owner.length; pfn++) {
    if (owner[pfn] === OWNER_RESERVED && (pfn === 0 || owner[pfn - 1] !== OWNER_RESERVED)) runs++;
  }
  out.word(runs);
  for (let pfn = 0; pfn < owner.length; pfn++) {
    if (owner[pfn] !== OWNER_RESERVED) continue;
    if (pfn > 0 && owner[pfn - 1] === OWNER_RESERVED) continue;
    let end = pfn + 1;
    while (end < owner.length && owner[end] === OWNER_RESERVED) end++;
    out.word(pfn);
    out.word(end);
  }
}

function hashAllocation(out: Words, state: ModelState, a: Allocation): void {
  out.word(KIND_CODE[a.kind]);
  out.word(a.pfn);
  out.word(a.pageCount);
  out.word(a.order);
  out.word(a.kind === 'pages' ? a.migratetype : MIGRATE_CMA);
  out.word(a.sourceList);
  out.word(a.area);
  out.word(a.pinned ? a.pinnedPfn : UNPINNED_CODE);
  out.word(dataCodeOf(a.token, frameToken(state, a)));
}

function hashCma(out: Words, state: ModelState): void {
  out.word(state.cmaAreas.length);
  for (const area of state.cmaAreas) {
    out.word(area.basePfn);
    out.word(area.count);
    out.word(AREA_STATE_CODE[area.state]);
    hashBitmapWords(out, area);
    out.word(cmaDebugUsed(area));
    const maxchunk = cmaDebugMaxchunk(state, area);
    out.word(maxchunk === null ? 0 : 1);
    out.word(maxchunk ?? 0);
  }
  out.word(state.totalcmaPages);
}

/**
 * The words of model/cmaDebug.ts cmaDebugBitmapWords(), without its array: the word count,
 * then each u32 word (bit i of the area is bit i % 32 of word i / 32), written as the int32
 * with the same bits — which is how Words stores the snapshot's uint32 too.
 */
function hashBitmapWords(out: Words, area: CmaArea): void {
  const bitmap = area.bitmap;
  if (bitmap === null) {
    out.word(0);
    return;
  }
  const maxno = cmaBitmapMaxno(area);
  const count = Math.ceil(maxno / 32);
  out.word(count);
  for (let word = 0; word < count; word++) {
    let bits = 0;
    const end = Math.min(maxno, (word + 1) * 32);
    for (let bit = word * 32; bit < end; bit++) if (bitmap[bit]) bits |= 1 << (bit % 32);
    out.word(bits);
  }
}
