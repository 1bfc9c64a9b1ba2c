/**
 * Operations: a JSON union (STYLE G6). The same union is the corpus format, the explorer's
 * alphabet and the renderer's input. A `target` is the index of an earlier op in the same trace
 * whose allocation the op acts on; the harness resolves it and records the op as skipped when
 * the allocation no longer exists, so shrinking can delete ops freely.
 */
import type { RequestMigratetypeName } from './migratetype.ts';

export type Op =
  | { kind: 'alloc'; order: number; migratetype: RequestMigratetypeName }
  | { kind: 'free'; target: number }
  | { kind: 'cmaAlloc'; area: number; count: number; align: number }
  | { kind: 'cmaRelease'; target: number }
  | { kind: 'dmaAlloc'; device: number; size: number }
  | { kind: 'dmaFree'; target: number }
  | { kind: 'pin'; target: number }
  | { kind: 'unpin'; target: number }
  | { kind: 'write'; target: number }
  | { kind: 'check'; target: number };

export type OpKind = Op['kind'];
export type TargetOp = Extract<Op, { target: number }>;

export const OP_KINDS: readonly OpKind[] = [
  'alloc',
  'free',
  'cmaAlloc',
  'cmaRelease',
  'dmaAlloc',
  'dmaFree',
  'pin',
  'unpin',
  'write',
  'check',
];

/** Which allocation kinds each targeting op accepts (a free of a CMA range is skipped). */
export const TARGET_KINDS: Record<TargetOp['kind'], readonly AllocationKind[]> = {
  free: ['pages'],
  cmaRelease: ['cma'],
  dmaFree: ['dma'],
  pin: ['pages'],
  unpin: ['pages'],
  write: ['pages', 'cma', 'dma'],
  check: ['pages', 'cma', 'dma'],
};

/** What kind of allocation an op creates, if any. */
export type AllocationKind = 'pages' | 'cma' | 'dma';

export function createdKind(op: Op): AllocationKind | null {
  switch (op.kind) {
    case 'alloc':
      return 'pages';
    case 'cmaAlloc':
      return 'cma';
    case 'dmaAlloc':
      return 'dma';
    default:
      return null;
  }
}

export function hasTarget(op: Op): op is TargetOp {
  return 'target' in op;
}
