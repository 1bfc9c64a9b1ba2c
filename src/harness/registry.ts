/**
 * Named implementations a trace can be replayed against: 'impl' (the optimized implementation)
 * and the bug-zoo mutants ('zoo:<name>'), each paired with the reference model.
 */
import { ImplAllocator } from '../../impl/allocator.ts';
import { ModelAllocator } from '../../model/allocator.ts';
import type { Allocator } from '../core/allocator.ts';
import type { Implementations } from './runner.ts';

const factories = new Map<string, () => Allocator>([
  ['impl', () => new ImplAllocator()],
  // The model against itself: only the invariants can fail (a check of the model alone).
  ['model', () => new ModelAllocator()],
]);

/** Registers an implementation under `name` (the zoo registers its mutants as 'zoo:<name>'). */
export function registerImplementation(name: string, create: () => Allocator): void {
  factories.set(name, create);
}

export function knownImplementations(): string[] {
  return [...factories.keys()];
}

/** The model paired with the named implementation, or null if no such name is registered. */
export function implementationsFor(name: string): Implementations | null {
  const create = factories.get(name);
  if (create === undefined) return null;
  return { model: () => new ModelAllocator(), impl: create };
}
