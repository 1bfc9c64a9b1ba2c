/**
 * The step view (src/core/stepView.ts) is what the runner compares after every op between full
 * checks, so two things must hold: each side's fast writer agrees with the definition
 * (stepViewOfSnapshot of its own snapshot) after every op of generated runs, on both profiles;
 * and a difference the view sees is reported at its own step, with the same failure a full
 * check after every step would report there.
 */
import { describe, expect, it } from 'vitest';
import type { Allocator } from '../../src/core/allocator.ts';
import type { Op } from '../../src/core/op.ts';
import { describeViewEntry, stepViewOfSnapshot } from '../../src/core/stepView.ts';
import { DEFAULT_CAMPAIGN_OPTIONS, executeRun } from '../../src/campaign/campaign.ts';
import { DEFAULT_WORLD_SHAPE } from '../../src/generate/world.ts';
import { implementationsFor } from '../../src/harness/registry.ts';
import { DifferentialRun, runTrace } from '../../src/harness/runner.ts';
import { LiveSet } from '../../src/harness/liveSet.ts';
import { loadZoo } from '../../zoo/index.ts';
import { decodeResult } from '../../src/core/result.ts';

loadZoo();

function campaignOptions(profile: 'K4_9' | 'K6_1') {
  return {
    ...DEFAULT_CAMPAIGN_OPTIONS, seed: 77, runs: null, timeMs: null, corpusDir: null,
    opsPerRunMax: 200, shouldStop: () => false,
    worldShape: { ...DEFAULT_WORLD_SHAPE, pagesLog2Max: 10, profile: [profile] },
  };
}

/** Ids whose records an op may change: its target, the one it made, and one bystander. */
function idsOf(op: Op, step: number, live: LiveSet): number[] {
  const ids = ['target' in op ? op.target : step];
  const bystander = live.byId.keys().next();
  if (!bystander.done) ids.push(bystander.value);
  return ids;
}

function viewMismatch(side: Allocator, id: number): string | null {
  const fast = side.stepView?.(id, []) ?? [];
  const defined = stepViewOfSnapshot(side.snapshot(), id, []);
  const index = fast.findIndex((value, i) => value !== defined[i]);
  if (index < 0 && fast.length === defined.length) return null;
  return `entry ${index}: stepView ${fast[index]} snapshot ${defined[index]}`;
}

describe('each side writes the step view its snapshot defines', () => {
  for (const profile of ['K4_9', 'K6_1'] as const) {
    it(`after every op of 12 generated runs (${profile})`, () => {
      const implementations = implementationsFor('impl');
      if (implementations === null) throw new Error('impl is not registered');
      const options = campaignOptions(profile);
      for (let run = 0; run < 12; run++) {
        const drawn = executeRun(options, implementations, run);
        expect(drawn.failure).toBeNull();
        const sides = [implementations.model(), implementations.impl()];
        for (const side of sides) side.boot(drawn.world);
        const live = new LiveSet();
        drawn.ops.forEach((op, step) => {
          if (live.skipReason(op) !== null) return;
          const result = decodeResult(sides.map((side) => side.apply(op, step))[0]);
          live.record(op, step, result);
          for (const side of sides) {
            for (const id of idsOf(op, step, live)) {
              const where = `${profile} run ${run} step ${step} ${side.name} #${id}`;
              expect(viewMismatch(side, id), where).toBeNull();
            }
          }
        });
      }
    });
  }
});

describe('a step view difference is reported at its own step', () => {
  // cma-free-not-counted drifts NR_FREE_CMA_PAGES: a counter of the view.
  const against = 'zoo:cma-free-not-counted';
  const implementations = implementationsFor(against);
  if (implementations === null) throw new Error(`${against} is not registered`);

  it('with full checks far apart, as a full check after every step finds it', () => {
    const options = { ...campaignOptions('K4_9'), against };
    let checked = 0;
    for (let run = 0; run < 40 && checked < 3; run++) {
      const drawn = executeRun(options, implementations, run);
      if (drawn.failure === null) continue;
      const differential = new DifferentialRun(drawn.world, implementations.model(),
        implementations.impl(), { ...options.runOptions, fullCheckEvery: 1_000_000 });
      let failure = differential.boot();
      for (let i = 0; failure === null && i < drawn.ops.length; i++) {
        failure = differential.step(drawn.ops[i]);
      }
      const exact = runTrace(drawn.world, drawn.ops, implementations, {
        ...options.runOptions, fullCheckEvery: 1,
      }).failure;
      expect(exact).not.toBeNull();
      // Found by a step (the view), not by finish(), and at the step a K = 1 run names.
      expect(failure?.step).toBe(exact?.step);
      expect(failure?.invariant).toBe(exact?.invariant);
      expect(failure?.explanation).toBe(exact?.explanation);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('names view entries the way the snapshot diff does', () => {
    const world = executeRun(campaignOptions('K4_9'), implementationsFor('impl')!, 0).world;
    const zone = world.zones[0].name;
    expect(describeViewEntry(world, 5, 1)).toBe(`zone ${zone} nrFreeCmaPages`);
    expect(describeViewEntry(world, 5, 4)).toBe(`zone ${zone} nr_free[0]`);
    expect(describeViewEntry(world, 5, 4 + world.maxOrder + 1 + 3))
      .toBe(`zone ${zone} order 0 migratetype 1 list tail`);
  });
});
