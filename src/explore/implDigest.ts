/**
 * The explorer's digest of impl's state (src/explore/digest.ts), read straight from its typed
 * arrays: the same words, in the same order, that encodeSnapshot() and encodeNaming()
 * (src/explore/canonical.ts) write for impl.snapshot() — so the encodings and fingerprints are
 * not merely equivalent, they are equal (properties/explore/digest.spec.ts checks that on
 * random states and on every zoo mutant). It reads what impl/snapshot.ts buildSnapshot()
 * reads, through the same core methods, so a bug-zoo mutant that overrides one is seen the
 * same way here.
 *
 * Why: building two snapshot objects, comparing them and hashing one was two thirds of a
 * transition (bench/explore.ts); this walk allocates nothing.
 *
 * Fixed at construction (after boot), because no op changes them: the reserved ranges
 * (ImplAllocator keeps the boot-time list and never writes it again) and the geometry.
 */
import type { BuddyCore } from '../../impl/core.ts';
import { KIND_PAGES } from '../../impl/allocations.ts';
import { cmaMaxchunk, cmaUsedPages } from '../../impl/cma.ts';
import { AssertionError } from '../core/assert.ts';
import { MIGRATE_CMA, MIGRATE_TYPES } from '../core/migratetype.ts';
import type { Snapshot } from '../core/snapshot.ts';
import {
  AREA_STATE_CODE,
  KIND_CODE,
  LETTER_CODES,
  UNPINNED_CODE,
  type Words,
  dataCodeOf,
} from './canonical.ts';

/** KIND_CODE by impl's KIND_PAGES / KIND_CMA / KIND_DMA (impl/allocations.ts KIND_NAMES). */
const IMPL_KIND_CODE = [KIND_CODE.pages, KIND_CODE.cma, KIND_CODE.dma];


export class ImplDigester {
  readonly #coreOf: () => BuddyCore;
  /** The core being digested (read from #coreOf on each digest: a boot replaces it). */
  #core: BuddyCore;
  /** reserved.length, then start and end of each range: constant after boot. */
  readonly #reservedWords: readonly number[];
  /** Live handles of the allocation table, sorted by (pfn, id) on each digest. */
  #ids = new Int32Array(64);

  constructor(core: () => BuddyCore, bootSnapshot: Snapshot) {
    this.#coreOf = core;
    this.#core = core();
    const words = [bootSnapshot.reserved.length];
    for (const range of bootSnapshot.reserved) words.push(range.startPfn, range.endPfn);
    this.#reservedWords = words;
  }

  /**
   * Writes the canonical encoding, then (unless told not to) the naming encoding, into `out`
   * (reset first); returns where the canonical part ends.
   */
  encode(out: Words, naming = true): number {
    out.reset();
    this.#core = this.#coreOf();
    const live = this.#sortLiveIds();
    this.#hashZones(out);
    const core = this.#core;
    const blocks = core.pages >> core.pageblockOrder;
    out.word(blocks);
    for (let block = 0; block < blocks; block++) {
      out.word(LETTER_CODES[core.pageblockMigratetype(block << core.pageblockOrder)]);
    }
    for (const word of this.#reservedWords) out.word(word);
    this.#hashAllocations(out, live);
    this.#hashCma(out);
    const canonicalLength = out.length;
    if (naming) this.#hashNaming(out, live);
    return canonicalLength;
  }

  #hashZones(out: Words): void {
    const core = this.#core;
    out.word(core.zoneCount);
    for (let zone = 0; zone < core.zoneCount; zone++) {
      out.word(core.maxOrder + 1);
      for (let order = 0; order <= core.maxOrder; order++) {
        out.word(MIGRATE_TYPES);
        for (let migratetype = 0; migratetype < MIGRATE_TYPES; migratetype++) {
          this.#hashList(out, core.listHead(zone, order, migratetype));
        }
      }
      out.word(core.maxOrder + 1);
      for (let order = 0; order <= core.maxOrder; order++) {
        out.word(core.nrFreeBlocks(zone, order));
      }
      out.word(core.nrFreePages(zone));
      out.word(core.nrFreeCmaPages(zone));
      out.word(core.nrIsolatePageblock[zone]);
      out.word(core.managedPages[zone]);
    }
  }

  /**
   * The list's length, then its pfns head first (as walkList() gives them): the length word is
   * written after the walk, which keeps walkList()'s guards so that a broken list throws
   * instead of looping. The messages are built only on failure (no string per pfn).
   */
  #hashList(out: Words, head: number): void {
    const next = this.#core.next;
    const pages = this.#core.pages;
    const lengthAt = out.length;
    out.word(0);
    let length = 0;
    for (let pfn = next[head]; pfn !== head; pfn = next[pfn]) {
      if (pfn < 0 || pfn >= pages) {
        throw new AssertionError(`implDigest: list ${head} links to ${pfn}`);
      }
      if (length === pages) throw new AssertionError(`implDigest: list ${head} does not end`);
      out.word(pfn);
      length++;
    }
    out.words[lengthAt] = length;
  }

  /** Live handles (as liveIds()) by pfn then id; returns how many. */
  #sortLiveIds(): number {
    const table = this.#core.table;
    if (this.#ids.length < table.liveCount) this.#ids = new Int32Array(table.liveCount);
    const ids = this.#ids;
    let count = 0;
    for (let id = 0; id < table.idLimit; id++) {
      if (!table.isLive(id)) continue;
      const pfn = table.pfnOf(id);
      let at = count++;
      // Ascending ids: an equal pfn stays behind the smaller id before it.
      while (at > 0 && table.pfnOf(ids[at - 1]) > pfn) {
        ids[at] = ids[at - 1];
        at--;
      }
      ids[at] = id;
    }
    return count;
  }

  #hashAllocations(out: Words, live: number): void {
    const table = this.#core.table;
    out.word(live);
    for (let i = 0; i < live; i++) {
      const id = this.#ids[i];
      const isPages = table.kindOf(id) === KIND_PAGES;
      out.word(IMPL_KIND_CODE[table.kindOf(id)]);
      out.word(table.pfnOf(id));
      out.word(table.pageCountOf(id));
      out.word(isPages ? table.orderOf(id) : -1);
      out.word(isPages ? table.migratetypeOf(id) : MIGRATE_CMA);
      out.word(isPages ? table.sourceListOf(id) : -1);
      out.word(isPages ? -1 : table.areaOf(id));
      out.word(table.isPinned(id) ? table.pinnedPfnOf(id) : UNPINNED_CODE);
      out.word(dataCodeOf(table.tokenOf(id), table.frameToken(id)));
    }
  }

  #hashCma(out: Words): void {
    const core = this.#core;
    let totalcma = 0;
    out.word(core.areas.length);
    for (const area of core.areas) {
      out.word(area.basePfn);
      out.word(area.count);
      out.word(AREA_STATE_CODE[area.state]);
      const bitmap = area.bitmap;
      out.word(bitmap.length);
      for (let word = 0; word < bitmap.length; word++) out.word(bitmap[word]);
      out.word(cmaUsedPages(area));
      const maxchunk = cmaMaxchunk(area, core.profile);
      out.word(maxchunk === null ? 0 : 1);
      out.word(maxchunk ?? 0);
      // totalcma_pages as impl/snapshot.ts counts it: K6_1 takes a failed area back out.
      if (!(core.isK6_1 && area.state === 'failed')) totalcma += area.declaredCount;
    }
    out.word(totalcma);
  }

  #hashNaming(out: Words, live: number): void {
    const table = this.#core.table;
    out.word(live);
    for (let i = 0; i < live; i++) {
      const id = this.#ids[i];
      out.word(id);
      out.word(table.tokenOf(id));
      out.word(table.frameToken(id));
      out.word(table.isPinned(id) ? 1 : 0);
      out.word(table.pinnedPfnOf(id));
    }
  }
}
