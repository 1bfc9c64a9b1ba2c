/**
 * The explorer's op alphabet: every op it tries in a state, instantiated from the world and the
 * state's live allocations. Bounded and deterministic, so that a state's successors are a
 * function of the state, and an op is stored as its index in this list (src/explore/stateTree.ts).
 *
 * Fixed part (from the world and the CMA areas registered at boot):
 * - `alloc` for every order 0..maxOrder × UNMOVABLE, MOVABLE, RECLAIMABLE;
 * - `cmaAlloc` on every active area of P pages with count ∈ {1, 2, 3} ∪ {2^k ≤ P} ∪ {P}
 *   (3 makes the last bitmap chunk partial when order_per_bit > 0; P takes the whole area),
 *   align 0 and the count's natural order ⌈log2 count⌉, and count 1 with align
 *   max(maxOrder, pageblockOrder) + 1 when 2^align ≤ P (where the K4_9 bitmap-offset rounding
 *   shows, kernel-semantics.md §12.11); one `cmaAlloc` count 1 on an area that is not active
 *   (its failure reason is all there is to see);
 * - `dmaAlloc` of 1 page and of one pageblock for every device.
 * Per live allocation, in ascending pfn order (the canonical order of src/explore/canonical.ts):
 * - pages: `free`; `pin` if MOVABLE and not pinned (only a movable page can migrate, so a pin
 *   changes nothing else), `unpin` if pinned;
 * - cma / dma ranges: `cmaRelease` / `dmaFree`;
 * - any: `write` if never written (a second write gives the same canonical state: written,
 *   intact), `check` if written (its result is compared; the state does not change).
 * Not tried: `cmaAlloc` with count 0 or larger than the area (argument errors, no state
 * change), other counts and alignments (the same bitmap searches at other sizes), and ops on
 * targets that are not live (the campaign covers skipped ops). `--op-kinds` and
 * `--migratetypes` narrow the alphabet further: 8 pages with every kind and type already have
 * 270 000 states within 7 ops and more further down, so the pinned counts use narrow ones.
 */
import {
  MIGRATE_MOVABLE,
  REQUEST_MIGRATETYPE_NAMES,
  type RequestMigratetypeName,
} from '../core/migratetype.ts';
import { OP_KINDS, type Op, type OpKind } from '../core/op.ts';
import type { AllocationSnapshot, Snapshot } from '../core/snapshot.ts';
import type { World } from '../core/world.ts';
import { limits } from '../core/limits.ts';
import { allocationsByPfn } from './canonical.ts';

/**
 * Which op kinds and request migratetypes to try (`--op-kinds`, `--migratetypes`): the state space
 * grows with every kind, so a smaller alphabet lets a bigger world be exhausted.
 */
export interface AlphabetOptions {
  kinds: readonly OpKind[];
  migratetypes: readonly RequestMigratetypeName[];
}

export const FULL_ALPHABET: AlphabetOptions = {
  kinds: OP_KINDS,
  migratetypes: REQUEST_MIGRATETYPE_NAMES,
};

/** ⌈log2 count⌉. */
function orderOfCount(count: number): number {
  let order = 0;
  while (2 ** order < count) order++;
  return order;
}

function cmaCounts(areaPages: number): number[] {
  const counts = new Set<number>([1, 2, 3, areaPages]);
  for (let count = 1; count <= areaPages; count *= 2) counts.add(count);
  return [...counts].filter((count) => count >= 1 && count <= areaPages).sort((a, b) => a - b);
}

function cmaOps(world: World, area: number, areaPages: number): Op[] {
  const ops: Op[] = [];
  for (const count of cmaCounts(areaPages)) {
    ops.push({ kind: 'cmaAlloc', area, count, align: 0 });
    const natural = orderOfCount(count);
    if (natural > 0) ops.push({ kind: 'cmaAlloc', area, count, align: natural });
  }
  const beyond = Math.max(world.maxOrder, world.pageblockOrder) + 1;
  if (2 ** beyond <= areaPages) ops.push({ kind: 'cmaAlloc', area, count: 1, align: beyond });
  return ops;
}

/** The ops tried in every state: allocations of each size and type, CMA and DMA requests. */
export function fixedOps(world: World, boot: Snapshot, alphabet: AlphabetOptions): Op[] {
  const ops: Op[] = [];
  for (let order = 0; order <= world.maxOrder; order++) {
    for (const migratetype of alphabet.migratetypes)
      ops.push({ kind: 'alloc', order, migratetype });
  }
  boot.cma.forEach((area, index) => {
    if (area.state === 'active' && area.count > 0) ops.push(...cmaOps(world, index, area.count));
    else ops.push({ kind: 'cmaAlloc', area: index, count: 1, align: 0 });
  });
  world.devices.forEach((_, device) => {
    ops.push({ kind: 'dmaAlloc', device, size: limits.pageSize });
    if (world.pageblockOrder > 0) {
      ops.push({ kind: 'dmaAlloc', device, size: limits.pageSize << world.pageblockOrder });
    }
  });
  return ops.filter((op) => alphabet.kinds.includes(op.kind));
}

function targetOps(allocation: AllocationSnapshot, kinds: readonly OpKind[], ops: Op[]): void {
  const target = allocation.id;
  const push = (kind: Extract<Op, { target: number }>['kind']): void => {
    if (kinds.includes(kind)) ops.push({ kind, target });
  };
  if (allocation.kind === 'pages') {
    push('free');
    if (allocation.pinned) push('unpin');
    else if (allocation.migratetype === MIGRATE_MOVABLE) push('pin');
  } else {
    push(allocation.kind === 'cma' ? 'cmaRelease' : 'dmaFree');
  }
  push(allocation.token === 0 ? 'write' : 'check');
}

/** Every op tried in the state `snapshot` shows: the fixed ops, then the target ops by pfn. */
export function enabledOps(
  fixed: readonly Op[],
  snapshot: Snapshot,
  alphabet: AlphabetOptions,
): Op[] {
  const ops = [...fixed];
  const allocations = snapshot.allocations;
  for (const index of allocationsByPfn(allocations)) {
    targetOps(allocations[index], alphabet.kinds, ops);
  }
  return ops;
}

/**
 * An upper bound on enabledOps().length in any state of the world: every allocation holds at
 * least one page, and brings at most three ops. Sizes the op-index arrays of the BFS tree.
 */
export function alphabetBound(world: World, fixed: readonly Op[]): number {
  return fixed.length + 3 * world.pages;
}
