/**
 * One place that turns a broken BuddyCore subclass into a registered mutant, so that each file
 * of the zoo is its header, its one override and its entry — nothing else.
 */
import { type BuddyCore, ImplAllocator } from '../impl/allocator.ts';
import type { BuddyGeometry } from '../impl/buddy.ts';
import type { InvariantId } from '../src/core/violation.ts';
import type { Profile } from '../src/core/world.ts';
import type { Mutant } from './mutants.ts';

export interface MutantSpec {
  name: string;
  bugClass: string;
  expected: InvariantId;
  /** The kernel function whose step the override breaks. */
  kernelFunction: string;
  /** Profiles without the broken rule, with the reason (Mutant.notUnder). */
  notUnder?: Partial<Record<Profile, string>>;
  /** Another expected check under a profile (Mutant.expectedUnder). */
  expectedUnder?: Partial<Record<Profile, InvariantId>>;
  Core: new (geometry: BuddyGeometry) => BuddyCore;
}

/** The mutant `zoo:<name>`: impl with `Core` in place of BuddyCore. */
export function defineMutant(spec: MutantSpec): Mutant {
  const { name, bugClass, expected, kernelFunction, notUnder, expectedUnder, Core } = spec;
  return {
    name,
    bugClass,
    expected,
    kernelFunction,
    ...(notUnder === undefined ? {} : { notUnder }),
    ...(expectedUnder === undefined ? {} : { expectedUnder }),
    create: () => new ImplAllocator(`zoo:${name}`, (geometry) => new Core(geometry)),
  };
}
