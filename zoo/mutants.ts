/**
 * The list of bug-zoo mutants. Each entry names a broken implementation (one file each in zoo/:
 * a BuddyCore subclass overriding one kernel step) and the invariant expected to catch it.
 * `cmacheck zoo` and properties/zoo/zoo.spec.ts show that the campaign catches every one.
 */
import type { Allocator } from '../src/core/allocator.ts';
import type { InvariantId } from '../src/core/violation.ts';
import type { Profile } from '../src/core/world.ts';
import { activateAcrossZones } from './activateAcrossZones.ts';
import { cmaBitsFloor } from './cmaBitsFloor.ts';
import { cmaFreeNotCounted } from './cmaFreeNotCounted.ts';
import { cmaMaskOffByOne } from './cmaMaskOffByOne.ts';
import { cmaReleaseKeepsBits } from './cmaReleaseKeepsBits.ts';
import { cmaReleaseWrongBits } from './cmaReleaseWrongBits.ts';
import { contigLeavesIsolated } from './contigLeavesIsolated.ts';
import { contigUndoWrongType } from './contigUndoWrongType.ts';
import { expandUpperHalf } from './expandUpperHalf.ts';
import { expandWrongList } from './expandWrongList.ts';
import { fallbackStealsCma } from './fallbackStealsCma.ts';
import { isolateMoveWithoutRetype } from './isolateMoveWithoutRetype.ts';
import { isolateRetypeWithoutMove } from './isolateRetypeWithoutMove.ts';
import { isolatedCountedFree } from './isolatedCountedFree.ts';
import { mergeAcrossZones } from './mergeAcrossZones.ts';
import { migrateLosesData } from './migrateLosesData.ts';
import { migratePinned } from './migratePinned.ts';
import { ruleTInverted } from './ruleTInverted.ts';
import { unmovableGetsCma } from './unmovableGetsCma.ts';
import { wrongFreeList } from './wrongFreeList.ts';

export interface Mutant {
  name: string;
  /** What kernel bug class it reproduces, in one sentence. */
  bugClass: string;
  /** The invariant expected to fire ('model-impl-agree' when only the differential check can). */
  expected: InvariantId;
  /** The kernel function whose step the mutant breaks. */
  kernelFunction: string;
  /**
   * The profiles under which the broken rule does not exist, each with the reason (a K4_9-only
   * formula or step, kernel-semantics.md §9): `cmacheck zoo --profile` reports the mutant "n/a"
   * there with that reason instead of running it. Under every other profile it must be caught.
   */
  notUnder?: Partial<Record<Profile, string>>;
  /**
   * Where another check than `expected` catches the mutant first under a profile (the header of
   * the mutant's file says why), the one expected there.
   */
  expectedUnder?: Partial<Record<Profile, InvariantId>>;
  create: () => Allocator;
}

/** In the order of the kernel path they break: buddy, fallback, isolation, CMA, migration. */
export const MUTANTS: readonly Mutant[] = [
  wrongFreeList,
  mergeAcrossZones,
  ruleTInverted,
  expandUpperHalf,
  expandWrongList,
  unmovableGetsCma,
  fallbackStealsCma,
  cmaFreeNotCounted,
  isolatedCountedFree,
  isolateRetypeWithoutMove,
  isolateMoveWithoutRetype,
  contigLeavesIsolated,
  contigUndoWrongType,
  activateAcrossZones,
  cmaMaskOffByOne,
  cmaBitsFloor,
  cmaReleaseWrongBits,
  cmaReleaseKeepsBits,
  migrateLosesData,
  migratePinned,
];
