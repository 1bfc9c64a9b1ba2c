/**
 * Migration for alloc_contig_range(): __alloc_contig_migrate_range() of mm/page_alloc.c with
 * isolate_migratepages_range() (mm/compaction.c) and migrate_pages() (mm/migrate.c), K4_9 and
 * K6_1 alike, reduced to the contract of docs/MODEL.md "Migration" (kernel-semantics.md
 * §12.5–§12.8). The profiles differ only through allocPages() (where a MOVABLE target lands);
 * model/gup.ts reuses migrateAllocation() for K6_1's long-term pins.
 *
 * - Unit: a whole page allocation (kind 'pages') overlapping [start, end), even in part (§12.8;
 *   the kernel migrates pages and refuses compound ones).
 * - Movable: migratetype MOVABLE and not pinned. Anything else is skipped by the scan; it stays
 *   where it is and later makes test_pages_isolated() fail with -EBUSY (§12.5).
 * - Batches: the scan walks [start, end) ascending and isolates up to COMPACT_CLUSTER_MAX units;
 *   isolate_migratepages_block() list_add()s each at the head and migrate_pages() walks from the
 *   head, so a batch migrates in descending pfn order (§12.6).
 * - Each unit: the target is allocated first — alloc_migrate_target(), an ordinary
 *   GFP_USER | __GFP_MOVABLE request of the unit's order (allocPages; never from an ISOLATE
 *   list) — then the data is copied, the allocation moves, and the old block is freed at once
 *   with its block's current type (ISOLATE inside the isolated range, so it never becomes a later
 *   target). No target → -ENOMEM and stop (§12.7): the kernel's five retries of the batch fail
 *   the same way, since nothing freed meanwhile is allocatable. Moves already done stay done.
 *
 * Not in scope: reclaim_clean_pages_from_list, hugetlb/THP, -EINTR, putback of pages that were
 * isolated but not migrated (the model never takes them off anything).
 */
import { assert } from '../src/core/assert.ts';
import { limits } from '../src/core/limits.ts';
import { MIGRATE_MOVABLE, type RequestMigratetype } from '../src/core/migratetype.ts';
import type { Pfn } from '../src/core/world.ts';
import { allocPages, freePages } from './allocPages.ts';
import { type Allocation, type ModelState, countBehaviour } from './state.ts';

const ENOMEM = -12;

/**
 * Mirrors __alloc_contig_migrate_range(cc, start, end) — mm/page_alloc.c, K4_9 (kernel-semantics.md
 * §6.2 step 2, §12.5–§12.8): migrate every movable unit overlapping [start, end), batch by batch.
 * Returns 0, or -ENOMEM when a target could not be allocated. Never -EBUSY: unmovable and pinned
 * pages are skipped, not retried.
 */
export function allocContigMigrateRange(state: ModelState, startPfn: Pfn, endPfn: Pfn): number {
  assert(startPfn < endPfn, () => `allocContigMigrateRange: empty range [${startPfn}, ${endPfn})`);
  let pfn = startPfn;
  while (pfn < endPfn) {
    // bound: every batch moves the scan forward by ≥ 1 pfn
    const batch = isolateMigratepagesRange(state, pfn, endPfn);
    assert(batch.nextPfn > pfn, () => `allocContigMigrateRange: scan stuck at pfn ${pfn}`);
    pfn = batch.nextPfn;
    for (const allocation of [...batch.units].reverse()) {
      // migrate_pages() from the list head
      if (!migrateUnit(state, allocation)) return ENOMEM;
    }
  }
  return 0;
}

interface MigrateBatch {
  /** Units in scan (ascending) order. */
  units: Allocation[];
  /** Where the next scan starts: past the last unit taken (≥ end when the scan is done). */
  nextPfn: Pfn;
}

/**
 * isolate_migratepages_range(cc, pfn, end) — mm/compaction.c, K4_9, as a scan over units: from
 * `pfn`, skip free buddies by their order and allocations by their size; collect movable page
 * allocations until COMPACT_CLUSTER_MAX are held (then stop just past the last one, as
 * `++low_pfn; break` does) or the scan reaches `end`.
 */
function isolateMigratepagesRange(state: ModelState, pfn: Pfn, endPfn: Pfn): MigrateBatch {
  const units: Allocation[] = [];
  while (pfn < endPfn && units.length < limits.compactClusterMax) {
    const owner = state.owner[pfn];
    if (owner < 0) {
      // free (a buddy head skips its block) or reserved
      pfn += state.buddyOrder[pfn] >= 0 ? 1 << state.buddyOrder[pfn] : 1;
      continue;
    }
    const allocation = state.allocations.get(owner);
    assert(
      allocation !== undefined,
      () => `isolateMigratepagesRange: pfn ${pfn} owner ${owner} unknown`,
    );
    pfn = allocation.pfn + allocation.pageCount; // a unit may have begun before `pfn`
    if (isMovable(allocation)) units.push(allocation);
  }
  return { units, nextPfn: pfn };
}

/** A page allocation that migration may move: MOVABLE and not long-term pinned (§12.5). */
function isMovable(allocation: Allocation): boolean {
  return (
    allocation.kind === 'pages' && allocation.migratetype === MIGRATE_MOVABLE && !allocation.pinned
  );
}

/**
 * One unit of migrate_pages() for __alloc_contig_migrate_range(): the target is an ordinary
 * GFP_USER | __GFP_MOVABLE request (alloc_migrate_target K4_9 / alloc_migration_target K6_1).
 * False when no target could be allocated (-ENOMEM).
 */
function migrateUnit(state: ModelState, allocation: Allocation): boolean {
  if (!migrateAllocation(state, allocation, MIGRATE_MOVABLE)) {
    countBehaviour(state, 'migrate.noTarget');
    return false;
  }
  return true;
}

/**
 * Mirrors unmap_and_move() of one unit — mm/migrate.c, K4_9 and K6_1: get_new_page() first, as a
 * request of `targetMt` and the unit's order (allocPages); null → false. Then copy the frames'
 * data, move the record (pfn and the target's source list; owner of the new pages = the
 * allocation; its migratetype stays the one it was requested with), and free the old block at
 * once through __free_pages (freePages: its block's current type, owner OWNER_NONE).
 */
export function migrateAllocation(
  state: ModelState,
  allocation: Allocation,
  targetMt: RequestMigratetype,
): boolean {
  const target = allocPages(state, allocation.order, targetMt);
  if (target === null) return false;
  const oldPfn = allocation.pfn;
  const pageCount = allocation.pageCount;
  assert(
    target.pfn + pageCount <= oldPfn || oldPfn + pageCount <= target.pfn,
    () =>
      `migrateAllocation: target ${target.pfn} overlaps allocation ${allocation.id} at ${oldPfn}`,
  );
  for (let page = 0; page < pageCount; page++) {
    state.frameToken[target.pfn + page] = state.frameToken[oldPfn + page];
    state.owner[target.pfn + page] = allocation.id;
  }
  allocation.pfn = target.pfn;
  allocation.sourceList = target.sourceList;
  freePages(state, oldPfn, allocation.order);
  // `migrate.pages` counts base pages moved, on every path that migrates (alloc_contig_range,
  // K6_1's long-term pin), as PGMIGRATE_SUCCESS does from 5.9 on (nr_succeeded += nr_subpages).
  countBehaviour(state, 'migrate.pages', pageCount);
  return true;
}
