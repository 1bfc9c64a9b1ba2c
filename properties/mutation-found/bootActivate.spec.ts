/**
 * CMA activation at boot — mm/cma.c cma_init_reserved_areas() → cma_activate_area(), K4_9 and
 * K6_1 (kernel-semantics.md §5.5) — and the debugfs `maxchunk` of the areas it leaves
 * (mm/cma_debug.c cma_maxchunk_get(), §5.8), through the model's boot and snapshot, with impl
 * booted on the same world beside it (runTrace with no ops: equal snapshots and every
 * invariant after boot).
 *
 * Kernel rules checked:
 * - an area whose pages lie in two zones is not activated: K4_9 walks it pageblock by pageblock
 *   and stops at the first block that leaves the zone of base_pfn (the blocks before it are
 *   already MIGRATE_CMA in the buddy, the rest stay reserved) and cma_init_reserved_areas()
 *   stops there; K6_1 checks the whole area first, frees every page of it to the buddy as
 *   ordinary (MOVABLE) memory, prints "CMA area %s could not be activated" and goes on;
 * - an area declared past the end of memory (K4_9 accepts `cma=32K@<end of memory>`: no limit
 *   check, not on the low/high boundary) boots, leaves every real pageblock alone, and model
 *   and impl agree on it (the kernel's own outcome is undefined: a WARN and a garbage zone);
 * - K6_1 maxchunk is the longest clear run << order_per_bit, also for a one-bit bitmap.
 *
 * Why: mutants of model/cmaActivate.ts (the zone test made always true, zoneOfPfn() called past
 * memory) and model/cmaDebug.ts (a K6_1 loop bound one pass short) survived: no spec in the
 * mutation set booted an area across a zone boundary or past memory, or a one-bit area.
 */
import { describe, expect, it } from 'vitest';
import { parseWorld } from '../../src/core/worldParse.ts';
import type { Profile } from '../../src/core/world.ts';
import { implementationsFor } from '../../src/harness/registry.ts';
import { DEFAULT_RUN_OPTIONS, runTrace } from '../../src/harness/runner.ts';
import { ModelAllocator } from '../../model/allocator.ts';

/** Boots model and impl on the world; they must agree and keep every invariant. */
function bootBoth(world: ReturnType<typeof parseWorld>) {
  const implementations = implementationsFor('impl');
  if (implementations === null) throw new Error('impl is not registered');
  const outcome = runTrace(world, [], implementations, DEFAULT_RUN_OPTIONS);
  expect(outcome.failure).toBeNull();
  const model = new ModelAllocator();
  model.boot(world);
  return model.snapshot();
}

/** 256 pages in zones DMA32 [0, 128) and Normal [128, 256); pageblocks of 8 pages. */
function twoZones(profile: Profile, cma: Record<string, unknown>[]) {
  return parseWorld({
    profile, pages: 256, maxOrder: 3, pageblockOrder: 3,
    zones: [
      { name: 'DMA32', startPfn: 0, endPfn: 128 }, { name: 'Normal', startPfn: 128, endPfn: 256 },
    ],
    cma,
  });
}

describe('cma_activate_area() on an area across a zone boundary', () => {
  // 'span' [112, 144) crosses pfn 128; 'next' [200, 208) lies in Normal.
  const areas = [{ name: 'span', base: 112, size: 32 }, { name: 'next', base: 200, size: 8 }];

  it('K4_9: keeps the blocks before the boundary as CMA, the rest reserved, and stops', () => {
    const snapshot = bootBoth(twoZones('K4_9', areas));
    expect(snapshot.cma.map((a) => [a.name, a.state, a.count])).toEqual([
      ['span', 'failed', 0], ['next', 'inactive', 8],
    ]);
    // Pageblocks 14, 15 (pfn 112..128) became CMA; 16, 17 (128..144) stay MOVABLE, reserved.
    expect(snapshot.pageblocks.slice(14, 18)).toBe('CCMM');
    expect(snapshot.reserved).toEqual([
      { startPfn: 128, endPfn: 144 }, { startPfn: 200, endPfn: 208 },
    ]);
  });

  it('K6_1: frees the whole area as ordinary memory, says so, and activates the next', () => {
    const world = twoZones('K6_1', areas);
    const snapshot = bootBoth(world);
    expect(snapshot.cma.map((a) => [a.name, a.state, a.count])).toEqual([
      ['span', 'failed', 0], ['next', 'active', 8],
    ]);
    expect(snapshot.pageblocks.slice(14, 18)).toBe('MMMM');
    expect(snapshot.pageblocks[25]).toBe('C'); // pfn 200..208
    expect(snapshot.reserved).toEqual([]);
    const model = new ModelAllocator();
    expect(model.boot(world).messages).toContain('cma: CMA area span could not be activated');
  });
});

describe('an area declared at the end of memory (K4_9)', () => {
  it('boots: base_pfn is no valid pfn, so no zone holds it and no page is touched', () => {
    const snapshot = bootBoth(parseWorld({
      pages: 256, maxOrder: 3, pageblockOrder: 3, cmdline: 'cma=32K@0x100000',
    }));
    // The kernel WARNs and reads a garbage zone here; what the model then does with the area is
    // its DEVIATION (model/cmaActivate.ts pfnInZone), checked only against impl (bootBoth).
    expect(snapshot.cma.map((a) => a.basePfn)).toEqual([256]);
    expect(snapshot.pageblocks).toBe('M'.repeat(32)); // every real pageblock left as it was
  });
});

describe('cma_maxchunk_get() — K6_1', () => {
  it('reads a one-bit bitmap as 1 << order_per_bit pages', () => {
    // 8 pages, order_per_bit 3: bitmap_maxno = 1, bit clear → maxchunk = 1 << 3 = 8.
    const snapshot = bootBoth(parseWorld({
      profile: 'K6_1', pages: 256, maxOrder: 3, pageblockOrder: 3,
      cma: [{ name: 'one', size: 8, orderPerBit: 3 }],
    }));
    expect(snapshot.cma.map((a) => [a.state, a.maxchunk])).toEqual([['active', 8]]);
  });
});
