/**
 * impl against the model under K6_1, on random traces (seed fixed): worlds drawn as a K6_1
 * campaign draws them (pageblock-aligned CMA areas, one or two zones, failed activations), ops
 * drawn by the campaign's generator and resolved on the model, then replayed through the
 * differential runner (runTrace: results compared after every op, snapshots and every invariant
 * checked after every op). The runs must also reach the K6_1 rules, or agreeing would say
 * little: the model's behaviour counters show which were taken.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Behaviours } from '../../src/core/allocator.ts';
import type { Op } from '../../src/core/op.ts';
import type { World } from '../../src/core/world.ts';
import { parseWorld } from '../../src/core/worldParse.ts';
import { mergeBehaviours } from '../../src/campaign/behaviours.ts';
import { type GenOp, opsArbitrary, resolveGenOp } from '../../src/generate/ops.ts';
import { worldArbitrary } from '../../src/generate/world.ts';
import { LiveSet } from '../../src/harness/liveSet.ts';
import { implementationsFor } from '../../src/harness/registry.ts';
import { runTrace } from '../../src/harness/runner.ts';
import { renderStory } from '../../src/render/story.ts';
import { declareLayout } from '../../model/boot/layout.ts';
import { ModelAllocator } from '../../model/allocator.ts';

const SEED = 20230317; // 6.1.20's release date
const RUNS = 200;

interface Trace {
  world: World;
  ops: Op[];
}

/** The generated ops made concrete: targets resolved against the model's live allocations. */
function resolveOnModel(world: World, genOps: readonly GenOp[]): Op[] {
  const model = new ModelAllocator();
  model.boot(world);
  const live = new LiveSet();
  const ops: Op[] = [];
  for (const genOp of genOps) {
    const op = resolveGenOp(genOp, live);
    if (op === null) continue;
    live.record(op, ops.length, model.apply(op, ops.length));
    ops.push(op);
  }
  return ops;
}

const traceArbitrary: fc.Arbitrary<Trace> = worldArbitrary({ pagesLog2Max: 9, profile: ['K6_1'] })
  .map((json) => parseWorld(json, '<k61Differential>'))
  .chain((world) => {
    const areaPages = declareLayout(world).areas.map((area) => area.count);
    return opsArbitrary({ world, areaPages }, 200).map((genOps) => ({ world, genOps }));
  })
  .map(({ world, genOps }) => ({ world, ops: resolveOnModel(world, genOps) }));

describe(`impl and model agree under K6_1 (seed ${SEED})`, () => {
  it('on every op of random traces, with every invariant holding', () => {
    const implementations = implementationsFor('impl');
    if (implementations === null) throw new Error('impl is not registered');
    const behaviours: Behaviours = {};
    let ops = 0;
    fc.assert(fc.property(traceArbitrary, ({ world, ops: traceOps }) => {
      expect(world.profile).toBe('K6_1');
      const outcome = runTrace(world, traceOps, implementations);
      if (outcome.failure !== null) {
        const trace = { world, ops: traceOps, against: 'impl', expect: 'pass' } as const;
        expect.fail(renderStory({ trace: trace as never, outcome, snapshot: null, file: null }));
      }
      ops += traceOps.length;
      mergeBehaviours(behaviours, outcome.run.model.behaviours());
    }), { seed: SEED, numRuns: RUNS });
    expect(ops).toBeGreaterThan(RUNS * 50);
    // The K6_1 rules the traces went through (model/*.ts countBehaviour names).
    for (const reached of [
      'alloc.cmaBalance', 'alloc.nofragmentRetry', 'fallback.claim', 'fallback.stealRange',
      'fallback.singlePage', 'isolate.splitFreePage', 'migrate.pages', 'pin.migrated',
      'pin.enomem', 'boot.activationFailed',
    ]) {
      expect(behaviours[reached] ?? 0, reached).toBeGreaterThan(0);
    }
  });
});
