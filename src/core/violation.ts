/**
 * Invariants and their violations (STYLE G8): an invariant is a stable id plus a pure function
 * over a snapshot; it returns findings, and the runner adds the step and the side.
 */
import type { AllocationSnapshot, Snapshot } from './snapshot.ts';
import type { OpResult } from './allocator.ts';
import type { Op, OpKind } from './op.ts';
import type { Pfn, World } from './world.ts';

export const INVARIANT_IDS = [
  'cma-movable-only',
  'cma-bitmap',
  'cma-one-zone',
  'cma-release-returns',
  'pageblock-types',
  'free-blocks',
  'buddy-merged',
  'conservation',
  'counters',
  'fallback-legal',
  'data-preserved',
  'cma-alloc-aligned',
  'free-placement',
  'model-impl-agree',
] as const;
export type InvariantId = (typeof INVARIANT_IDS)[number];

export interface Finding {
  pfns: Pfn[];
  explanation: string;
}

export interface Violation extends Finding {
  id: InvariantId;
  step: number;
  side: string;
}

/** What an invariant may know besides the snapshot: the world and the step that led to it. */
export interface CheckContext {
  world: World;
  step: number;
  op: Op | null;
  result: OpResult | null;
  /** The op's target as it was before the op (for ops with a target; the harness knows the
   *  range of CMA and DMA allocations, which never move). */
  targetBefore: Pick<AllocationSnapshot, 'id' | 'kind' | 'pfn' | 'pageCount'> | null;
}

export interface Invariant {
  id: Exclude<InvariantId, 'model-impl-agree'>;
  /** One sentence: what must hold. */
  description: string;
  /**
   * Ops after which this invariant must run at once, because it reads the op and its result
   * (the runner otherwise checks every K steps).
   */
  stepOps?: readonly OpKind[];
  /**
   * True when every violation of it after a `stepOps` op changes the op's result or the step
   * view (src/core/stepView.ts). Between full checks the runner then skips it when a reference
   * and a different implementation just showed equal results and step views: the reference
   * keeps it (its own suite checks it at every op), so the other side does too.
   */
  viewed?: boolean;
  check(snapshot: Snapshot, context: CheckContext): Finding[];
}
