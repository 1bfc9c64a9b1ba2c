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
import { mergeBehaviours } from '../../src/campaign/behaviours.ts';
import { implementationsFor } from '../../src/harness/registry.ts';
import { runTrace } from '../../src/harness/runner.ts';
import { renderStory } from '../../src/render/story.ts';
import { traceArbitrary } from '../mutation-found/differential.ts';

const SEED = 20230317; // 6.1.20's release date
const RUNS = 200;

// The K6_1 traces of the mutation set's differential property, at full length (200 ops).
const traces = traceArbitrary('K6_1', 200);

describe(`impl and model agree under K6_1 (seed ${SEED})`, () => {
  it('on every op of random traces, with every invariant holding', () => {
    const implementations = implementationsFor('impl');
    if (implementations === null) throw new Error('impl is not registered');
    const behaviours: Behaviours = {};
    let ops = 0;
    fc.assert(fc.property(traces, ({ world, ops: traceOps }) => {
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
