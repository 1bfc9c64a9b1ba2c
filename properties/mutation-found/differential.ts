/**
 * The differential property shared by mutation-found/k49Differential.spec.ts and
 * mutation-found/k61Differential.mutation.ts: impl against the model on random traces with a
 * fixed seed and run count. Worlds are drawn as a campaign of the profile draws them (up to 512
 * pages, one or two zones, 0..3 CMA areas), ops by the campaign's generator, resolved on the
 * model, then replayed through the differential runner (runTrace: results compared after every
 * op, snapshots and every invariant checked after every op). The runs must also go through the
 * paths named in `reached` (model/*.ts countBehaviour names), or agreeing would say little.
 *
 * After each trace impl's behaviour counters must equal the model's (sameBehaviours): both count
 * the same kernel events, and only the model's reach the campaign summary, so nothing else
 * checks impl's counting (mutation testing found every mutant of it surviving).
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import type { Behaviours } from '../../src/core/allocator.ts';
import type { Op } from '../../src/core/op.ts';
import type { Profile, World } from '../../src/core/world.ts';
import { parseWorld } from '../../src/core/worldParse.ts';
import { mergeBehaviours } from '../../src/campaign/behaviours.ts';
import { type GenOp, opsArbitrary, resolveGenOp } from '../../src/generate/ops.ts';
import { worldArbitrary } from '../../src/generate/world.ts';
import { LiveSet } from '../../src/harness/liveSet.ts';
import { implementationsFor } from '../../src/harness/registry.ts';
import { DEFAULT_RUN_OPTIONS, runTrace } from '../../src/harness/runner.ts';
import { renderStory } from '../../src/render/story.ts';
import { declareLayout } from '../../model/boot/layout.ts';
import { ModelAllocator } from '../../model/allocator.ts';
import { decodeResult } from '../../src/core/result.ts';

/** True under Stryker (its worker processes set STRYKER_MUTATOR_WORKER). */
export const UNDER_STRYKER = process.env.STRYKER_MUTATOR_WORKER !== undefined;

export interface Trace {
  world: World;
  ops: Op[];
}

/**
 * The generated ops made concrete: targets resolved against the model's live allocations, by
 * `resolve` (the campaign's resolveGenOp unless a property picks targets its own way).
 */
export function resolveOnModel(
  world: World,
  genOps: readonly GenOp[],
  resolve: (genOp: GenOp, live: LiveSet) => Op | null = resolveGenOp,
): Op[] {
  const model = new ModelAllocator();
  model.boot(world);
  const live = new LiveSet();
  const ops: Op[] = [];
  for (const genOp of genOps) {
    const op = resolve(genOp, live);
    if (op === null) continue;
    live.record(op, ops.length, decodeResult(model.apply(op, ops.length)));
    ops.push(op);
  }
  return ops;
}

/**
 * Each behaviour counter impl reports equals the model's (0 where the model never counted).
 * This found two counted differently, now one rule on both sides: `migrate.pages` counts base
 * pages on every migration path, and `cma.alloc.fail` counts a DMA request with no area too.
 */
export function sameBehaviours(model: Behaviours, impl: Behaviours): void {
  const implCounts = Object.entries(impl);
  expect(Object.fromEntries(implCounts))
    .toEqual(Object.fromEntries(implCounts.map(([name]) => [name, model[name] ?? 0])));
}

/** Traces of up to `opsMax` generated ops (fewer after resolution drops untargetable ones). */
export function traceArbitrary(profile: Profile, opsMax = 200): fc.Arbitrary<Trace> {
  return worldArbitrary({ pagesLog2Max: 9, profile: [profile] })
    .map((json) => parseWorld(json, `<${profile} differential>`))
    .chain((world) => {
      const areaPages = declareLayout(world).areas.map((area) => area.count);
      return opsArbitrary({ world, areaPages }, opsMax).map((genOps) => ({ world, genOps }));
    })
    .map(({ world, genOps }) => ({ world, ops: resolveOnModel(world, genOps) }));
}

/**
 * Runs the property; fails with the story of the first disagreeing trace. With `fullCheckEvery`
 * K > 1 the runner compares full snapshots and runs the invariants every K ops only, and in
 * between compares model's and impl's step views (src/core/stepView.ts), as a campaign does.
 */
export function checkAgreement(
  profile: Profile, seed: number, runs: number, reached: readonly string[], fullCheckEvery = 1,
  opsMax = 200,
): void {
  const options = { ...DEFAULT_RUN_OPTIONS, fullCheckEvery };
  const implementations = implementationsFor('impl');
  if (implementations === null) throw new Error('impl is not registered');
  const behaviours: Behaviours = {};
  let ops = 0;
  fc.assert(fc.property(traceArbitrary(profile, opsMax), ({ world, ops: traceOps }) => {
    expect(world.profile).toBe(profile);
    const outcome = runTrace(world, traceOps, implementations, options);
    if (outcome.failure !== null) {
      const trace = { world, ops: traceOps, against: 'impl', expect: 'pass' } as const;
      expect.fail(renderStory({ trace: trace as never, outcome, snapshot: null, file: null }));
    }
    ops += traceOps.length;
    sameBehaviours(outcome.run.model.behaviours(), outcome.run.impl.behaviours());
    mergeBehaviours(behaviours, outcome.run.model.behaviours());
  }), { seed, numRuns: runs });
  expect(ops).toBeGreaterThan(runs * opsMax / 4);
  for (const name of reached) expect(behaviours[name] ?? 0, name).toBeGreaterThan(0);
}
