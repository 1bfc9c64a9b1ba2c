/**
 * free-blocks — kernel-semantics.md §8.1 I1, I2, I3, I7; §3.2; §12.20.
 *
 * Every entry of every free list is a block of order ≤ maxOrder, aligned to its order
 * (`VM_BUG_ON_PAGE(pfn & ((1 << order) - 1))` in __free_one_page), inside the zone whose lists
 * hold it (bad_range), listed once, and on a list whose type is legal for every pageblock it
 * covers under the profile.
 *
 * List type against block type (listTypeLegal): K4_9 and K6_1 do not keep list type = block
 * type (fallback remainders go to the requested type's lists, a non-claimed steal moves pages,
 * K4_9 merges across U/M/E/H blocks; §3.2, §12.20), so U, M, E and H lists may hold pages of any
 * of those four block types. What they do keep is CMA confinement (I7): a CMA list holds only
 * CMA blocks and a CMA block is free only on a CMA list, and the same for ISOLATE. (K6_18 would
 * require equality, I6; it is not a profile here.)
 *
 * Does not cover: blocks overlapping each other (conservation) or unmerged buddies
 * (buddy-merged).
 */
import { MIGRATE_CMA, MIGRATE_ISOLATE, MIGRATE_TYPES } from '../core/migratetype.ts';
import type { Snapshot } from '../core/snapshot.ts';
import type { Invariant } from '../core/violation.ts';
import type { Profile } from '../core/world.ts';
import { type Coverage, coverageOf, describeFreeBlock, pagesOfOrder } from './coverage.ts';
import { type Findings, closeFindings, newFindings, report, typeName } from './findings.ts';

export const freeBlocks: Invariant = {
  id: 'free-blocks',
  description: 'every free block is aligned, of order ≤ maxOrder, inside its zone, listed once,'
    + ' and on a list whose type is legal for its pageblocks',
  check(snapshot) {
    const findings = newFindings();
    const coverage = coverageOf(snapshot);
    for (let block = 0; block < coverage.blocks.count; block++) {
      if (!checkShape(snapshot, coverage, block, findings)) continue;
      checkListType(snapshot, coverage, block, findings);
    }
    for (const block of coverage.repeatedBlocks) {
      reportRepeated(snapshot, coverage, block, findings);
    }
    return closeFindings(findings);
  },
};

/** `block` names a head pfn an earlier list entry already names (I1: on exactly one list). */
function reportRepeated(
  snapshot: Snapshot, coverage: Coverage, block: number, findings: Findings,
): void {
  const { blocks } = coverage;
  const pfn = blocks.pfn[block];
  const first = coverage.headBlock[pfn];
  const zone = snapshot.zones[blocks.zone[block]];
  report(findings, [pfn], () => `${describeFreeBlock(blocks, first)} is listed again as`
    + ` ${describeFreeBlock(blocks, block)} (zone ${zone.name}), expected one list entry per`
    + ' block');
}

/** Order, alignment, zone; false when the block is too broken to check its list type. */
function checkShape(
  snapshot: Snapshot, coverage: Coverage, block: number, findings: Findings,
): boolean {
  const { blocks } = coverage;
  const pfn = blocks.pfn[block];
  const order = blocks.order[block];
  if (order > snapshot.maxOrder) {
    report(findings, [pfn], () => `${describeFreeBlock(blocks, block)} has order above maxOrder`
      + ` ${snapshot.maxOrder}`);
    return false;
  }
  if (blocks.list[block] >= MIGRATE_TYPES) {
    report(findings, [pfn], () => `free block pfn ${pfn} order ${order} is on list`
      + ` ${blocks.list[block]}, expected one of the ${MIGRATE_TYPES} migratetype lists`);
    return false;
  }
  const pageCount = pagesOfOrder(order);
  if (pfn % pageCount !== 0) {
    report(findings, [pfn], () => `${describeFreeBlock(blocks, block)} is not aligned to`
      + ` ${pageCount} pages`);
  }
  const zone = snapshot.zones[blocks.zone[block]];
  if (pfn < zone.startPfn || pfn + pageCount > zone.endPfn) {
    report(findings, [pfn], () => `${describeFreeBlock(blocks, block)} of zone ${zone.name}`
      + ` reaches outside the zone [${zone.startPfn}, ${zone.endPfn})`);
    return false;
  }
  return true;
}

function checkListType(
  snapshot: Snapshot, coverage: Coverage, block: number, findings: Findings,
): void {
  const { blocks, pageblockTypes } = coverage;
  const pfn = blocks.pfn[block];
  const list = blocks.list[block];
  const order = snapshot.pageblockOrder;
  const lastPageblock = (pfn + pagesOfOrder(blocks.order[block]) - 1) >> order;
  for (let pageblock = pfn >> order; pageblock <= lastPageblock; pageblock++) {
    const type = pageblockTypes[pageblock];
    if (listTypeLegal(snapshot.profile, list, type)) continue;
    report(findings, [pfn], () => `${describeFreeBlock(blocks, block)} but pageblock`
      + ` ${pageblock} is ${typeName(type)}`);
    return;
  }
}

/** May a free block on the `list` list cover a pageblock of type `blockType`? */
export function listTypeLegal(profile: Profile, list: number, blockType: number): boolean {
  switch (profile) {
    case 'K4_9':
    case 'K6_1': {
      if (list === MIGRATE_CMA || blockType === MIGRATE_CMA) return list === blockType;
      if (list === MIGRATE_ISOLATE || blockType === MIGRATE_ISOLATE) return list === blockType;
      return blockType >= 0;
    }
  }
}
