/**
 * Worlds and a runner shared by the explorer suites. The worlds are tiny on purpose: the
 * explorer's tests pin exact state counts, so each world must be exhausted in about a second.
 */
import { readFileSync } from 'node:fs';
import { ImplAllocator } from '../../impl/allocator.ts';
import { ModelAllocator } from '../../model/allocator.ts';
import type { World } from '../../src/core/world.ts';
import { parseWorld } from '../../src/core/worldParse.ts';
import type { AlphabetOptions } from '../../src/explore/alphabet.ts';
import { type ExploreOptions, type ExploreResult, explore } from '../../src/explore/explorer.ts';
import type { Implementations } from '../../src/harness/runner.ts';

export function worldFile(name: string): World {
  const file = new URL(`../../worlds/${name}.json`, import.meta.url);
  return parseWorld(JSON.parse(readFileSync(file, 'utf8')), name);
}

/**
 * Four pages, two of them a CMA area: pfn 0-1 one MOVABLE pageblock, pfn 2-3 one CMA
 * pageblock, order ≤ 1. Small enough for a naive explorer to walk every state.
 */
export const microWorld: World = parseWorld({
  name: 'explore-micro',
  pages: 4,
  maxOrder: 1,
  pageblockOrder: 1,
  mobilityGroupingDisabled: false,
  cma: [{ name: 'micro-cma', base: 2, size: 2 }],
});

/** MOVABLE requests only, every op kind: pins, data and CMA windows, no fallback. */
export const movableEverything: AlphabetOptions = {
  kinds: ['alloc', 'free', 'cmaAlloc', 'cmaRelease', 'pin', 'unpin', 'write', 'check'],
  migratetypes: ['MOVABLE'],
};

/** MOVABLE requests, the allocator ops only. */
export const movableAllocator: AlphabetOptions = {
  kinds: ['alloc', 'free', 'cmaAlloc', 'cmaRelease'],
  migratetypes: ['MOVABLE'],
};

export const modelVsImpl: Implementations = {
  model: () => new ModelAllocator(),
  impl: () => new ImplAllocator(),
};

/** A synchronous exploration with no bound but the ones given. */
export function runExplore(world: World, overrides: Partial<ExploreOptions> = {}): ExploreResult {
  return explore({
    world,
    implementations: modelVsImpl,
    depthMax: null,
    statesMax: null,
    timeMs: null,
    shard: { index: 0, count: 1 },
    clock: () => 0,
    shouldStop: () => false,
    ...overrides,
  });
}

export function fingerprintsOf(result: ExploreResult): Set<string> {
  return new Set(result.fingerprints.fingerprints());
}
