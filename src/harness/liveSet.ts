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

export class LiveSet {
  readonly byId = new Map<number, LiveAllocation>();

  /** Why `op` cannot run now, or null when its target (if any) is live and of an accepted kind. */
  skipReason(op: Op): string | null {
    if (!hasTarget(op)) return null;
    const live = this.byId.get(op.target);
    if (live === undefined) return `target #${op.target} is not live`;
    if (!TARGET_KINDS[op.kind].includes(live.kind)) return `target #${op.target} is a ${live.kind} allocation`;
    return null;
  }

  /** Updates the set after `op` ran as step `step` with `result`. */
  record(op: Op, step: number, result: OpResult): void {
    const kind = createdKind(op);
    if (kind !== null && result.ok && result.pfn !== undefined) {
      this.byId.set(step, { id: step, kind, pfn: result.pfn, pageCount: pageCountOf(op) });
    }
    if (op.kind === 'free' || op.kind === 'cmaRelease' || op.kind === 'dmaFree') this.byId.delete(op.target);
  }

  /** Live allocations of the given kinds, in id order (a deterministic order for generators). */
  ofKinds(kinds: readonly AllocationKind[]): LiveAllocation[] {
    const found: LiveAllocation[] = [];
    for (const live of this.byId.values()) if (kinds.includes(live.kind)) found.push(live);
    return found.sort((a, b) => a.id - b.id);
  }
}

function pageCountOf(op: Op): number {
  switch (op.kind) {
    case 'alloc': return 1 << op.order;
    case 'cmaAlloc': return op.count;
    case 'dmaAlloc': return Math.ceil(op.size / 4096);
    default: return 0;
  }
}
