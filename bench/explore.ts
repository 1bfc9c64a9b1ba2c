/**
 * bench/explore.ts — what issue 6 asks of the explorer, measured in one run:
 *  1. distinct states/s and states generated/s of `cmacheck explore` (model vs impl, every
 *     check on) on the default world to depth 5 and on explore-tiny exhausted
 *     (target: ≥ 200 000 distinct states/s);
 *  2. bytes per stored state: fingerprint table + BFS tree, over distinct states (target ≤ 16);
 *  3. where a transition's time goes: the explorer's per-state steps timed one by one on a
 *     state of the default world (restore, apply, snapshots, compare, fingerprint), and the
 *     per-new-state ones (invariants, save, alphabet).
 *
 *   npx tsx bench/explore.ts [--quick]
 */
import { readFileSync } from 'node:fs';
import { ImplAllocator } from '../impl/allocator.ts';
import { ModelAllocator } from '../model/allocator.ts';
import type { Op } from '../src/core/op.ts';
import type { World } from '../src/core/world.ts';
import { parseWorld } from '../src/core/worldParse.ts';
import {
  FULL_ALPHABET,
  type AlphabetOptions,
  enabledOps,
  fixedOps,
} from '../src/explore/alphabet.ts';
import { fingerprintSnapshot } from '../src/explore/canonical.ts';
import { explore } from '../src/explore/explorer.ts';
import { snapshotsEqual } from '../src/harness/diff.ts';
import { INVARIANTS, checkInvariants } from '../src/invariants/index.ts';

const quick = process.argv.includes('--quick');

function worldFile(name: string): World {
  const file = new URL(`../worlds/${name}.json`, import.meta.url);
  return parseWorld(JSON.parse(readFileSync(file, 'utf8')), name);
}

function run(
  label: string,
  world: World,
  depthMax: number | null,
  alphabet: AlphabetOptions,
): void {
  const started = performance.now();
  const result = explore({
    world,
    alphabet,
    depthMax,
    statesMax: null,
    timeMs: null,
    shard: { index: 0, count: 1 },
    implementations: { model: () => new ModelAllocator(), impl: () => new ImplAllocator() },
    clock: () => performance.now(),
    shouldStop: () => false,
  });
  const seconds = (performance.now() - started) / 1000;
  const distinctRate = result.distinct / seconds;
  console.log(
    `${label}: ${result.distinct} distinct, ${result.generated} generated in` +
      ` ${seconds.toFixed(2)} s (${result.stop})`,
  );
  console.log(
    `  ${Math.round(distinctRate).toString().padStart(8)} distinct states/s` +
      `  (${(distinctRate / 200_000).toFixed(3)}x of 200 000)`,
  );
  console.log(
    `  ${Math.round(result.generated / seconds)
      .toString()
      .padStart(8)} states generated/s` +
      ` · ${(result.generated / result.distinct).toFixed(1)} transitions per distinct state`,
  );
  console.log(
    `  ${result.bytesPerState.toFixed(1).padStart(8)} bytes per stored state` +
      `  (${(result.bytesPerState / 16).toFixed(2)}x of 16) · collision probability` +
      ` ${result.collisionProbability.toExponential(1)}`,
  );
}

function time(label: string, iterations: number, body: () => void): number {
  for (let i = 0; i < iterations / 10; i++) body();
  const started = performance.now();
  for (let i = 0; i < iterations; i++) body();
  const micros = ((performance.now() - started) * 1000) / iterations;
  console.log(`  ${label.padEnd(44)} ${micros.toFixed(2).padStart(7)} µs`);
  return micros;
}

/** The explorer's steps one by one, on the default world after four ops. */
function breakdown(world: World): void {
  const model = new ModelAllocator();
  const impl = new ImplAllocator();
  model.boot(world);
  impl.boot(world);
  const ops: Op[] = [
    { kind: 'alloc', order: 0, migratetype: 'MOVABLE' },
    { kind: 'alloc', order: 1, migratetype: 'UNMOVABLE' },
    { kind: 'cmaAlloc', area: 0, count: 2, align: 0 },
    { kind: 'write', target: 0 },
  ];
  ops.forEach((op, step) => [model, impl].forEach((side) => side.apply(op, step)));
  const savedModel = model.saveState();
  const savedImpl = impl.saveState();
  const step: Op = { kind: 'alloc', order: 0, migratetype: 'RECLAIMABLE' };
  const n = quick ? 20_000 : 100_000;
  console.log('per transition (alloc order 0 RECLAIMABLE, a fallback steal):');
  const perEdge = [
    time('restore model + impl', n, () => {
      model.restoreState(savedModel);
      impl.restoreState(savedImpl);
    }),
    time('apply to model + impl (includes restore)', n, () => {
      model.restoreState(savedModel);
      impl.restoreState(savedImpl);
      model.apply(step, 4);
      impl.apply(step, 4);
    }),
  ];
  const expected = model.snapshot();
  const actual = impl.snapshot();
  const fingerprint = { high: 0, low: 0 };
  perEdge.push(
    time('model.snapshot() + impl.snapshot()', n, () => {
      model.snapshot();
      impl.snapshot();
    }),
    time('snapshotsEqual', n, () => snapshotsEqual(expected, actual)),
    time('canonical fingerprint', n, () => fingerprintSnapshot(expected, fingerprint)),
  );
  const edge = perEdge[1] + perEdge[2] + perEdge[3] + perEdge[4];
  console.log(
    `  ${'= one transition'.padEnd(44)} ${edge.toFixed(2).padStart(7)} µs` +
      ` → at most ${Math.round(1e6 / edge)} transitions/s`,
  );
  console.log('per new state:');
  const context = { world, step: 4, op: step, result: { ok: true }, targetBefore: null };
  time('every invariant on one snapshot', n / 4, () =>
    checkInvariants(expected, context, 'model', INVARIANTS),
  );
  time('model.saveState() + impl.saveState()', n / 4, () => {
    model.saveState();
    impl.saveState();
  });
  const fixed = fixedOps(world, expected, FULL_ALPHABET);
  time('alphabet of the state', n, () => enabledOps(fixed, expected, FULL_ALPHABET));
}

const small = worldFile('explore-small');
run(`explore-small, depth ${quick ? 4 : 5}`, small, quick ? 4 : 5, FULL_ALPHABET);
run(
  'explore-tiny, MOVABLE alloc/free/cmaAlloc/cmaRelease, exhausted',
  worldFile('explore-tiny'),
  null,
  { kinds: ['alloc', 'free', 'cmaAlloc', 'cmaRelease'], migratetypes: ['MOVABLE'] },
);
breakdown(small);
