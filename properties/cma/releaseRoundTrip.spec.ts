/**
 * DESIGN.md's cma-release-returns, the half no snapshot can show: after cmaRelease, "an identical
 * cmaAlloc succeeds again when nothing else changed" (kernel-semantics.md §5.6, §5.7, §6).
 *
 * Why it must, by the kernel: cma_release() clears the range's bits (cma_clear_bitmap) and
 * free_contig_range() gives every page back to the buddy in the area's CMA pageblocks. The second
 * cma_alloc() scans the bitmap first-fit (bitmap_find_next_zero_area_off) from the area's start,
 * so it reaches the released window at the latest — an earlier window may succeed first, which is
 * fine. At that window every page is free and every pageblock CMA: start_isolate_page_range()
 * cannot fail (has_unmovable_pages() passes a CMA pageblock — K4_9 always, K6_1 for a CMA
 * request), nothing needs migrating, and test_pages_isolated() finds only free pages, so
 * alloc_contig_range() returns 0 and cma_alloc() a range of the same count.
 *
 * On random traces of both profiles (the campaign's world and op generators, fixed seeds), at
 * every successful cmaAlloc, on the model and on impl: save the state, release the range, ask
 * again with the same area, count and align, then restore and go on with the trace.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ImplAllocator } from '../../impl/allocator.ts';
import { ModelAllocator } from '../../model/allocator.ts';
import { declareLayout } from '../../model/boot/layout.ts';
import type { Profile, World } from '../../src/core/world.ts';
import { parseWorld } from '../../src/core/worldParse.ts';
import { type GenOp, opsArbitrary, resolveGenOp } from '../../src/generate/ops.ts';
import { worldArbitrary } from '../../src/generate/world.ts';
import { LiveSet } from '../../src/harness/liveSet.ts';
import { MUTANTS } from '../../zoo/mutants.ts';
import type { Forkable } from '../support/forkable.ts';
import { decodeResult } from '../../src/core/result.ts';

interface RoundTrips {
  checked: number;
  failures: string[];
}

/** Runs `genOps` on `allocator`, with a release + identical cmaAlloc round trip after each success. */
function roundTrips(allocator: Forkable, world: World, genOps: readonly GenOp[]): RoundTrips {
  allocator.boot(world);
  const live = new LiveSet();
  const found: RoundTrips = { checked: 0, failures: [] };
  let step = 0;
  for (const genOp of genOps) {
    const op = resolveGenOp(genOp, live);
    if (op === null) continue;
    const result = decodeResult(allocator.apply(op, step));
    live.record(op, step, result);
    if (op.kind === 'cmaAlloc' && result.ok) {
      const saved = allocator.saveState();
      // Handles beyond any the trace makes: the trace resumes from the saved state.
      const spare = genOps.length + step;
      const released = decodeResult(allocator.apply({ kind: 'cmaRelease', target: step }, spare));
      const again = decodeResult(allocator.apply(op, spare + 1));
      found.checked++;
      if (!released.ok || !again.ok || again.pfn === undefined) {
        found.failures.push(`${world.name} step ${step}: cmaAlloc ${JSON.stringify(op)} → pfn`
          + ` ${result.pfn}; release ${JSON.stringify(released)}; again ${JSON.stringify(again)}`);
      }
      allocator.restoreState(saved as never);
    }
    step++;
  }
  return found;
}

function tracesOf(profile: Profile): fc.Arbitrary<{ world: World; genOps: GenOp[] }> {
  return worldArbitrary({ pagesLog2Max: 9, profile: [profile] })
    .map((json) => parseWorld(json, `<releaseRoundTrip ${profile}>`))
    .chain((world) => {
      const areaPages = declareLayout(world).areas.map((area) => area.count);
      return opsArbitrary({ world, areaPages }, 150).map((genOps) => ({ world, genOps }));
    });
}

const CASES = [
  { profile: 'K4_9', seed: 49045 },
  { profile: 'K6_1', seed: 61020 },
] as const;

describe.each(CASES)('cmaRelease then an identical cmaAlloc succeeds again ($profile)', (c) => {
  it.each([
    ['model', () => new ModelAllocator()],
    ['impl', () => new ImplAllocator()],
  ] as const)('on the %s', (_name, create) => {
    let checked = 0;
    fc.assert(
      fc.property(tracesOf(c.profile), ({ world, genOps }) => {
        const found = roundTrips(create(), world, genOps);
        checked += found.checked;
        expect(found.failures).toEqual([]);
      }),
      { seed: c.seed, numRuns: 250 },
    );
    // The traces must actually allocate from CMA often, or the property says little.
    expect(checked).toBeGreaterThan(150);
  });
});

describe('the round trip has teeth', () => {
  it('fails on zoo:cma-release-keeps-bits (cma_release() without cma_clear_bitmap())', () => {
    const mutant = MUTANTS.find((candidate) => candidate.name === 'cma-release-keeps-bits');
    if (mutant === undefined) throw new Error('zoo:cma-release-keeps-bits is missing');
    let failures: string[] = [];
    fc.assert(
      fc.property(tracesOf('K4_9'), ({ world, genOps }) => {
        failures = failures.concat(roundTrips(mutant.create() as never, world, genOps).failures);
      }),
      { seed: CASES[0].seed, numRuns: 250 },
    );
    expect(failures.length).toBeGreaterThan(0);
  });
});
