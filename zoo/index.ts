/**
 * The bug zoo: deliberately broken implementations, each a small subclass of impl reproducing a
 * class of real allocator bug. loadZoo() registers every mutant as 'zoo:<name>' so traces can be
 * replayed against it (`"against": "zoo:<name>"` in a corpus file).
 */
import { registerImplementation } from '../src/harness/registry.ts';
import { MUTANTS } from './mutants.ts';

let loaded = false;

export function loadZoo(): void {
  if (loaded) return;
  loaded = true;
  for (const mutant of MUTANTS) registerImplementation(`zoo:${mutant.name}`, mutant.create);
}
