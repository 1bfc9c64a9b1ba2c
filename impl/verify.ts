/**
 * impl/verify.ts — O(pages) consistency checks of impl's own typed-array state (STYLE G10: O(1)
 * asserts stay inline, O(n) checks live here for the harness to call at intervals; TigerBeetle
 * `verify()`). Independent of the snapshot invariants in src/invariants/: those read a Snapshot,
 * these read the raw arrays, so they catch a broken link or a stale owner before a snapshot
 * could hide it. Kernel counterparts are the VM_BUG_ON checks listed in kernel-semantics.md
 * §8.3 and the structural invariants I1–I4, I7, I9, I12 and §12.18 of §8.1.
 *
 * Returns findings as sentences (empty when consistent); never throws on a bad state.
 */
import {
  MIGRATE_CMA, MIGRATE_ISOLATE, MIGRATE_PCPTYPES, MIGRATE_TYPES,
} from '../src/core/migratetype.ts';
import type { PfnRange } from '../src/core/world.ts';
import { KIND_PAGES } from './allocations.ts';
import { bitmapWeight } from './bitmap.ts';
import type { BuddyLayer } from './buddy.ts';
import type { BuddyCore } from './core.ts';

export interface VerifySource {
  core: BuddyCore;
  reserved: readonly PfnRange[];
}

const FREE = 1;
const ALLOCATED = 2;
const RESERVED = 3;

/** Every finding about `source`, at most `limit` of them. */
export function verify(source: VerifySource, limit = 20): string[] {
  const findings: string[] = [];
  const owner = new Uint8Array(source.core.pages);
  checkLists(source.core, owner, findings);
  checkAllocations(source, owner, findings);
  checkReserved(source, owner, findings);
  for (let pfn = 0; pfn < owner.length && findings.length < limit; pfn++) {
    if (owner[pfn] === 0) findings.push(`pfn ${pfn} is neither free, allocated nor reserved`);
  }
  checkMerged(source.core, findings);
  checkCounters(source.core, findings);
  checkBitmaps(source, findings);
  return findings.slice(0, limit);
}

/** I1–I3, I7: links, orders, alignment, zone, CMA confinement, one list per free block. */
function checkLists(core: BuddyLayer, owner: Uint8Array, findings: string[]): void {
  let blocksOnLists = 0;
  for (let zone = 0; zone < core.zoneCount; zone++) {
    for (let order = 0; order <= core.maxOrder; order++) {
      for (let migratetype = 0; migratetype < MIGRATE_TYPES; migratetype++) {
        const head = core.listHead(zone, order, migratetype);
        let previous = head;
        for (let pfn = core.next[head]; pfn !== head; pfn = core.next[pfn]) {
          const where = `zone ${zone} order ${order} list ${migratetype}: pfn ${pfn}`;
          if (pfn < 0 || pfn >= core.pages || blocksOnLists > core.pages) {
            findings.push(`${where} is not a page (broken link)`);
            return;
          }
          if (core.prev[pfn] !== previous) findings.push(`${where} has prev ${core.prev[pfn]}`);
          previous = pfn;
          blocksOnLists++;
          checkFreeBlock(core, zone, order, migratetype, pfn, owner, findings);
        }
        if (core.prev[head] !== previous) findings.push(`list ${head}: tail link is stale`);
      }
    }
  }
  let heads = 0;
  for (let pfn = 0; pfn < core.pages; pfn++) if (core.freeOrder[pfn] >= 0) heads++;
  if (heads !== blocksOnLists) {
    findings.push(`${heads} pages are marked free heads but ${blocksOnLists} blocks are listed`);
  }
}

function checkFreeBlock(
  core: BuddyLayer, zone: number, order: number, migratetype: number, pfn: number,
  owner: Uint8Array, findings: string[],
): void {
  const where = `free block pfn ${pfn} order ${order} (list ${migratetype})`;
  const mark = core.freeOrder[pfn];
  if (mark !== order) findings.push(`${where} has order mark ${mark}`);
  if (pfn % (1 << order) !== 0) findings.push(`${where} is not aligned`);
  const end = pfn + (1 << order);
  const inZone = pfn >= core.zoneStart[zone] && end <= core.zoneEnd[zone];
  if (!inZone) findings.push(`${where} leaves zone ${zone}`);
  for (let page = pfn; page < end && page < core.pages; page++) {
    if (owner[page] !== 0) findings.push(`${where} overlaps pfn ${page} held twice`);
    owner[page] = FREE;
    const cmaBlock = core.pageblockMigratetype(page) === MIGRATE_CMA;
    const cmaList = migratetype === MIGRATE_CMA || migratetype === MIGRATE_ISOLATE;
    if (cmaBlock && !cmaList) findings.push(`${where} holds CMA pfn ${page} on a non-CMA list`);
  }
}

/** I4: allocation frames owned by their record; pages allocations aligned; no overlap. */
function checkAllocations(source: VerifySource, owner: Uint8Array, findings: string[]): void {
  const { table } = source.core;
  for (const id of table.liveIds()) {
    const pfn = table.pfnOf(id);
    const pageCount = table.pageCountOf(id);
    const where = `allocation ${id} at pfn ${pfn}`;
    const aligned = table.kindOf(id) !== KIND_PAGES || pfn % pageCount === 0;
    if (!aligned) findings.push(`${where} is not aligned`);
    for (let page = pfn; page < pfn + pageCount; page++) {
      if (owner[page] !== 0) findings.push(`${where} overlaps pfn ${page} held twice`);
      owner[page] = ALLOCATED;
      if (table.ownerAt(page) !== id) findings.push(`${where}: frame ${page} has another owner`);
    }
  }
}

function checkReserved(source: VerifySource, owner: Uint8Array, findings: string[]): void {
  for (const range of source.reserved) {
    for (let page = range.startPfn; page < range.endPfn; page++) {
      if (owner[page] !== 0) findings.push(`reserved pfn ${page} is also free or allocated`);
      owner[page] = RESERVED;
    }
  }
}

/**
 * §12.18: no two free buddies that the profile would merge (same zone, no isolation between
 * ops; K6_1 keeps a pair apart from pageblockOrder up when their pageblock types differ and
 * one is not mergeable, §2.4).
 */
function checkMerged(core: BuddyLayer, findings: string[]): void {
  for (let zone = 0; zone < core.zoneCount; zone++) {
    if (core.nrIsolatePageblock[zone] !== 0) findings.push(`zone ${zone} has isolated pageblocks`);
  }
  for (let pfn = 0; pfn < core.pages; pfn++) {
    const order = core.freeOrder[pfn];
    if (order < 0 || order >= core.maxOrder) continue;
    const buddy = pfn ^ (1 << order);
    if (buddy >= core.pages || core.freeOrder[buddy] !== order) continue;
    if (core.zoneOf(buddy) !== core.zoneOf(pfn)) continue;
    if (core.isK6_1 && order >= core.pageblockOrder) {
      const types = [core.pageblockMigratetype(pfn), core.pageblockMigratetype(buddy)];
      const apart = types[0] !== types[1] && !types.every((mt) => mt < MIGRATE_PCPTYPES);
      if (apart) continue;
    }
    findings.push(`free buddies pfn ${pfn} and ${buddy} of order ${order} were not merged`);
  }
}

/**
 * I1, I10 (§12.18): the kept counters equal what the lists hold — nr_free per order, and
 * NR_FREE_PAGES / NR_FREE_CMA_PAGES as the pages on non-ISOLATE / CMA lists.
 */
function checkCounters(core: BuddyLayer, findings: string[]): void {
  for (let zone = 0; zone < core.zoneCount; zone++) {
    let freePages = 0;
    let freeCmaPages = 0;
    for (let order = 0; order <= core.maxOrder; order++) {
      let blocks = 0;
      for (let migratetype = 0; migratetype < MIGRATE_TYPES; migratetype++) {
        const listed = walkLength(core, core.listHead(zone, order, migratetype));
        blocks += listed;
        if (migratetype !== MIGRATE_ISOLATE) freePages += listed << order;
        if (migratetype === MIGRATE_CMA) freeCmaPages += listed << order;
      }
      const nrFree = core.nrFreeBlocks(zone, order);
      if (nrFree !== blocks) {
        findings.push(`zone ${zone} nr_free[${order}] is ${nrFree}, its lists hold ${blocks}`);
      }
    }
    const kept = [core.nrFreePages(zone), core.nrFreeCmaPages(zone)];
    if (kept[0] !== freePages) {
      findings.push(`zone ${zone} NR_FREE_PAGES is ${kept[0]}, non-ISOLATE lists: ${freePages}`);
    }
    if (kept[1] !== freeCmaPages) {
      findings.push(`zone ${zone} NR_FREE_CMA_PAGES is ${kept[1]}, CMA lists: ${freeCmaPages}`);
    }
  }
}

/** Blocks on one list, bounded by the page count (a broken cycle is checkLists' finding). */
function walkLength(core: BuddyLayer, head: number): number {
  let blocks = 0;
  for (let pfn = core.next[head]; pfn !== head && blocks <= core.pages; pfn = core.next[pfn]) {
    if (pfn < 0 || pfn >= core.pages) break;
    blocks++;
  }
  return blocks;
}

/** I12: each active bitmap has exactly the bits of its live CMA/DMA ranges. */
function checkBitmaps(source: VerifySource, findings: string[]): void {
  const { table, areas } = source.core;
  areas.forEach((area, index) => {
    if (area.state !== 'active') return;
    let bits = 0;
    for (const id of table.liveIds()) {
      if (table.kindOf(id) === KIND_PAGES || table.areaOf(id) !== index) continue;
      // cma_bitmap_pages_to_bits(), computed here rather than through the core's hook.
      bits += Math.ceil(table.pageCountOf(id) / 2 ** area.orderPerBit);
    }
    const weight = bitmapWeight(area.bitmap, Math.floor(area.count / 2 ** area.orderPerBit));
    if (weight === bits) return;
    findings.push(`area ${area.name}: ${weight} bits set, its ranges need ${bits}`);
  });
}
