import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/inputError.ts';
import { PROFILES } from '../../src/core/world.ts';
import { worldToJson } from '../../src/core/worldJson.ts';
import { parseWorld } from '../../src/core/worldParse.ts';
import { DEFAULT_WORLD_SHAPE, worldArbitrary } from '../../src/generate/world.ts';

function rejection(json: unknown): string {
  try {
    parseWorld(json, 'w.json');
  } catch (error) {
    if (error instanceof InputError) return error.message;
    throw error;
  }
  throw new Error('expected the world to be rejected');
}

describe('world validation names the field and the reason', () => {
  it.each([
    [{ pages: 64, maxOrder: 11 }, 'w.json: $.maxOrder: expected integer 0..10 (MAX_ORDER-1), got 11'],
    [{ pages: 64, maxOrder: -1 }, 'w.json: $.maxOrder: expected integer 0..10 (MAX_ORDER-1), got -1'],
    [{ pages: 64, maxOrder: 2, pageblockOrder: 3 }, 'w.json: $.pageblockOrder: expected integer 0..2 (pageblock order ≤ maxOrder), got 3'],
    [{ pages: 66, maxOrder: 2 }, 'w.json: $.pages: expected a multiple of the pageblock size 4, got 66'],
    [{ pages: 'many' }, 'w.json: $.pages: expected integer 1024..4194304 (page frames), got "many"'],
    [{ pages: 64, maxOrder: 2, colour: 'red' }, "w.json: $.colour: unknown field 'colour'"],
    [{ pages: 64, maxOrder: 2, profile: 'K3_1' }, "w.json: $.profile: expected one of 'K4_9', 'K6_1', got \"K3_1\""],
    [{ pages: 64, maxOrder: 2, cma: [{ base: 60, size: 8 }] }, 'w.json: $.cma[0].size: area [60, 68) lies outside memory [0, 64)'],
    [{ pages: 64, maxOrder: 2, cma: [{ base: 8, size: 0 }] }, 'w.json: $.cma[0].size: expected integer 1..64 (pages), got 0'],
    [{ pages: 64, maxOrder: 2, cma: [{ base: 8, size: 16 }, { base: 16, size: 8 }] }, 'w.json: $.cma[0]: overlaps cma[1]'],
    [{ pages: 64, maxOrder: 2, zones: [{ name: 'A', startPfn: 0, endPfn: 30 }] }, 'w.json: $.zones[0].endPfn: expected a multiple of the pageblock size 4, got 30'],
    [{ pages: 64, maxOrder: 2, zones: [{ name: 'A', startPfn: 0, endPfn: 32 }] }, 'w.json: $.zones[0].endPfn: the last zone must end at pages (64), got 32'],
    [{ pages: 64, maxOrder: 2, zones: [{ name: 'A', startPfn: 0, endPfn: 32 }, { name: 'B', startPfn: 36, endPfn: 64 }] }, 'w.json: $.zones[1].startPfn: zones must be contiguous and ordered: expected 32, got 36'],
    [{ pages: 64, maxOrder: 2, reserved: [{ startPfn: 0, endPfn: 8 }, { startPfn: 4, endPfn: 12 }] }, 'w.json: $.reserved[0]: overlaps reserved[1]'],
    [{ pages: 64, maxOrder: 2, devices: [{ name: 'cam', 'memory-region': 'nope' }] }, "w.json: $.devices[0].memory-region: no reserved-memory node named 'nope'"],
    [[1, 2], 'w.json: $: expected an object, got an array'],
  ])('rejects %j', (json, message) => {
    expect(rejection(json)).toContain(message);
  });

  it('fills the documented defaults', () => {
    const world = parseWorld({ pages: 64, maxOrder: 2 });
    expect(world.profile).toBe('K4_9');
    expect(world.pageblockOrder).toBe(2);
    expect(world.zones).toEqual([{ name: 'Normal', startPfn: 0, endPfn: 64 }]);
    expect(world.pcp).toBe('off');
    expect(world.dmaLimitPfn).toBe(64);
    // 64 pages ≥ 4 * MIGRATE_TYPES (24): mobility grouping stays on (build_all_zonelists).
    expect(world.mobilityGroupingDisabled).toBe(false);
    expect(parseWorld({ pages: 16, maxOrder: 2 }).mobilityGroupingDisabled).toBe(true);
  });

  it('round-trips every generated world, of either profile, through its JSON form', () => {
    const shape = { ...DEFAULT_WORLD_SHAPE, profile: PROFILES };
    fc.assert(fc.property(worldArbitrary(shape), (json) => {
      const world = parseWorld(json);
      expect(parseWorld(worldToJson(world))).toEqual(world);
    }), { seed: 7, numRuns: 400 });
  });
});
