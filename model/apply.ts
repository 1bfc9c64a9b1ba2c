/**
 * The one dispatch point of the model (STYLE G5): each op of docs/MODEL.md "Ops" mapped to the
 * kernel entry point it stands for. The harness has already checked that a `target` names a live
 * allocation of an accepted kind (src/core/op.ts TARGET_KINDS).
 */
import type { OpResult } from '../src/core/allocator.ts';
import { assert } from '../src/core/assert.ts';
import { MIGRATE_CMA, requestMigratetypeFromName } from '../src/core/migratetype.ts';
import type { AllocationKind, Op } from '../src/core/op.ts';
import type { Pfn } from '../src/core/world.ts';
import { allocPages, freePages } from './allocPages.ts';
import { cmaAlloc, cmaRelease } from './cma.ts';
import { dmaAllocFromContiguous, dmaReleaseFromContiguous } from './dma.ts';
import { pinUserPages } from './gup.ts';
import { type Allocation, type ModelState, countBehaviour } from './state.ts';

/**
 * One handler per op kind. The mapped type makes the table exhaustive the way ts-pattern's
 * `.exhaustive()` would (a new op kind without a handler does not compile), without building a
 * matcher object on every op — this runs once per step of every campaign.
 */
type Handlers = {
  [K in Op['kind']]: (state: ModelState, op: Extract<Op, { kind: K }>, step: number) => OpResult;
};

const HANDLERS: Handlers = {
  alloc: (state, o, step) =>
    allocOp(state, o.order, requestMigratetypeFromName(o.migratetype), step),
  free: (state, o) => freeOp(state, o.target),
  cmaAlloc: (state, o, step) => cmaAllocOp(state, o.area, o.count, o.align, step),
  cmaRelease: (state, o) => releaseOp(state, o.target, 'cma'),
  dmaAlloc: (state, o, step) => dmaAllocOp(state, o.device, o.size, step),
  dmaFree: (state, o) => releaseOp(state, o.target, 'dma'),
  pin: (state, o) => pinOp(state, o.target, true),
  unpin: (state, o) => pinOp(state, o.target, false),
  write: (state, o, step) => writeOp(state, o.target, step + 1),
  check: (state, o) => checkOp(state, o.target),
};

/** Applies one op (docs/MODEL.md "Ops"). No kernel counterpart: the harness's entry point. */
export function apply(state: ModelState, op: Op, step: number): OpResult {
  // TypeScript cannot correlate HANDLERS[op.kind] with op; the table's type guarantees it.
  const handler = HANDLERS[op.kind] as (state: ModelState, op: Op, step: number) => OpResult;
  return handler(state, op, step);
}

function liveAllocation(
  state: ModelState,
  id: number,
  kinds: readonly AllocationKind[],
): Allocation {
  const allocation = state.allocations.get(id);
  assert(allocation !== undefined, () => `apply: target ${id} is not a live allocation`);
  assert(
    kinds.includes(allocation.kind),
    () => `apply: target ${id} is a ${allocation.kind} allocation`,
  );
  return allocation;
}

/** Records a new allocation and marks its pages as held by it. */
function recordAllocation(state: ModelState, allocation: Allocation): void {
  state.allocations.set(allocation.id, allocation);
  for (let pfn = allocation.pfn; pfn < allocation.pfn + allocation.pageCount; pfn++) {
    state.owner[pfn] = allocation.id;
  }
}

/** alloc_pages(gfp, order) → __alloc_pages_nodemask (docs/MODEL.md "Ops"). */
function allocOp(state: ModelState, order: number, requestMt: 0 | 1 | 2, step: number): OpResult {
  const taken = allocPages(state, order, requestMt);
  if (taken === null) {
    countBehaviour(state, 'alloc.fail');
    return { ok: false, reason: 'ENOMEM' };
  }
  countBehaviour(state, 'alloc.ok');
  recordAllocation(state, {
    id: step,
    kind: 'pages',
    pfn: taken.pfn,
    pageCount: 1 << order,
    order,
    migratetype: taken.migratetype,
    sourceList: taken.sourceList,
    area: -1,
    pinned: false,
    pinnedPfn: -1,
    token: 0,
  });
  return { ok: true, pfn: taken.pfn };
}

/** __free_pages(page, order); a long-term pin is dropped with the last reference. */
function freeOp(state: ModelState, target: number): OpResult {
  const allocation = liveAllocation(state, target, ['pages']);
  state.allocations.delete(target);
  freePages(state, allocation.pfn, allocation.order);
  // Where the pages were when freed (a page allocation may have migrated): free-placement
  // reads it, and comparing it per step pins migration targets at the free that follows.
  return { ok: true, pfn: allocation.pfn };
}

function recordRange(
  state: ModelState,
  id: number,
  kind: AllocationKind,
  area: number,
  pfn: Pfn,
  count: number,
): void {
  recordAllocation(state, {
    id,
    kind,
    pfn,
    pageCount: count,
    order: -1,
    migratetype: MIGRATE_CMA,
    sourceList: -1,
    area,
    pinned: false,
    pinnedPfn: -1,
    token: 0,
  });
}

/** cma_alloc(cma_areas[area], count, align). */
function cmaAllocOp(
  state: ModelState,
  area: number,
  count: number,
  align: number,
  step: number,
): OpResult {
  const result = cmaAlloc(state, area, count, align);
  if (!('pfn' in result)) return { ok: false, reason: result.reason };
  recordRange(state, step, 'cma', area, result.pfn, count);
  return { ok: true, pfn: result.pfn };
}

/** dma_alloc_from_contiguous(dev, count, get_order(size)). */
function dmaAllocOp(state: ModelState, device: number, size: number, step: number): OpResult {
  const { area, result } = dmaAllocFromContiguous(state, device, size);
  if (!('pfn' in result)) return { ok: false, reason: result.reason };
  recordRange(state, step, 'dma', area, result.pfn, Math.ceil(size / 4096));
  return { ok: true, pfn: result.pfn };
}

/** cma_release / dma_release_from_contiguous of a whole earlier range. */
function releaseOp(state: ModelState, target: number, kind: 'cma' | 'dma'): OpResult {
  const allocation = liveAllocation(state, target, [kind]);
  state.allocations.delete(target);
  const released =
    kind === 'cma'
      ? cmaRelease(state, allocation.area, allocation.pfn, allocation.pageCount)
      : dmaReleaseFromContiguous(state, allocation.area, allocation.pfn, allocation.pageCount);
  return released ? { ok: true } : { ok: false, reason: 'not-in-area' };
}

/**
 * pin_user_pages(FOLL_LONGTERM) (model/gup.ts: K6_1 first migrates a page out of CMA, which can
 * fail with -ENOMEM) / unpin_user_page: the page can (not) be migrated.
 */
function pinOp(state: ModelState, target: number, pinned: boolean): OpResult {
  const allocation = liveAllocation(state, target, ['pages']);
  if (pinned) {
    const pinnedNow = pinUserPages(state, allocation) === 'pinned';
    return pinnedNow ? { ok: true } : { ok: false, reason: 'ENOMEM' };
  }
  allocation.pinned = false;
  allocation.pinnedPfn = -1;
  return { ok: true };
}

/** A user writing `token` to every frame of its allocation. */
function writeOp(state: ModelState, target: number, token: number): OpResult {
  const allocation = liveAllocation(state, target, ['pages', 'cma', 'dma']);
  allocation.token = token;
  for (let pfn = allocation.pfn; pfn < allocation.pfn + allocation.pageCount; pfn++) {
    state.frameToken[pfn] = token;
  }
  return { ok: true };
}

/**
 * A user reading its allocation back: every frame must hold the last token written. Memory
 * that was never written holds whatever its previous owner left (the kernel does not zero
 * freed or allocated pages), so there is nothing to compare.
 */
function checkOp(state: ModelState, target: number): OpResult {
  const allocation = liveAllocation(state, target, ['pages', 'cma', 'dma']);
  if (allocation.token === 0) return { ok: true };
  for (let pfn = allocation.pfn; pfn < allocation.pfn + allocation.pageCount; pfn++) {
    if (state.frameToken[pfn] !== allocation.token) return { ok: false, reason: 'data-mismatch' };
  }
  return { ok: true };
}
