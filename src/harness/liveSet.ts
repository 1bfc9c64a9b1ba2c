/**
 * The harness's own record of which allocations are live, built from op results alone, so that
 * a `target` resolves (or is skipped) the same way whatever the implementations do.
 */
import type { OpResult } from '../core/allocator.ts';
import { type AllocationKind, type Op, TARGET_KINDS, createdKind, hasTarget } from '../core/op.ts';

export interface LiveAllocation {
  id: number;
  kind: AllocationKind;
  /** First pfn when created (CMA and DMA ranges never move; page allocations may migrate). */
  pfn: number;
  pageCount: number;
}

const KIND_ORDER: readonly AllocationKind[] = ['pages', 'cma', 'dma'];

export class LiveSet {
  readonly byId = new Map<number, LiveAllocation>();
  /** Live allocations per kind, ascending id (ids grow with the step, so appends keep order). */
  readonly #byKind: Record<AllocationKind, LiveAllocation[]> = { pages: [], cma: [], dma: [] };

  /** Why `op` cannot run now, or null when its target (if any) is live and of an accepted kind. */
  skipReason(op: Op): string | null {
    if (!hasTarget(op)) return null;
    const live = this.byId.get(op.target);
    if (live === undefined) return `target #${op.target} is not live`;
    if (!TARGET_KINDS[op.kind].includes(live.kind))
      return `target #${op.target} is a ${live.kind} allocation`;
    return null;
  }

  /** Updates the set after `op` ran as step `step` with `result`. */
  record(op: Op, step: number, result: OpResult): void {
    const kind = createdKind(op);
    if (kind !== null && result.ok && result.pfn !== undefined) {
      const live = { id: step, kind, pfn: result.pfn, pageCount: pageCountOf(op) };
      this.byId.set(step, live);
      this.#byKind[kind].push(live);
    }
    if (op.kind === 'free' || op.kind === 'cmaRelease' || op.kind === 'dmaFree')
      this.#remove(op.target);
  }

  #remove(id: number): void {
    const live = this.byId.get(id);
    if (live === undefined) return;
    this.byId.delete(id);
    const list = this.#byKind[live.kind];
    let low = 0;
    let high = list.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (list[middle].id < id) low = middle + 1;
      else high = middle;
    }
    list.splice(low, 1);
  }

  /** How many live allocations of these kinds there are. */
  countOfKinds(kinds: readonly AllocationKind[]): number {
    let count = 0;
    for (const kind of kinds) count += this.#byKind[kind].length;
    return count;
  }

  /** The index-th live allocation of these kinds: kinds in the order pages, cma, dma; ids ascending. */
  nthOfKinds(kinds: readonly AllocationKind[], index: number): LiveAllocation {
    let rest = index;
    for (const kind of KIND_ORDER) {
      if (!kinds.includes(kind)) continue;
      const list = this.#byKind[kind];
      if (rest < list.length) return list[rest];
      rest -= list.length;
    }
    throw new RangeError(`LiveSet: no live allocation number ${index}`);
  }
}

function pageCountOf(op: Op): number {
  switch (op.kind) {
    case 'alloc':
      return 1 << op.order;
    case 'cmaAlloc':
      return op.count;
    case 'dmaAlloc':
      return Math.ceil(op.size / 4096);
    default:
      return 0;
  }
}
