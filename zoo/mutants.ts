/**
 * The list of bug-zoo mutants. Each entry names a broken implementation (one file each in zoo/)
 * and the invariant expected to catch it.
 */
import type { Allocator } from '../src/core/allocator.ts';
import type { InvariantId } from '../src/core/violation.ts';
import { wrongFreeList } from './wrongFreeList.ts';

export interface Mutant {
  name: string;
  /** What kernel bug class it reproduces, in one sentence. */
  bugClass: string;
  /** The invariant expected to fire ('model-impl-agree' when only the differential check can). */
  expected: InvariantId;
  create: () => Allocator;
}

export const MUTANTS: readonly Mutant[] = [wrongFreeList];
