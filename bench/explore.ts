/**
 * bench/explore.ts — what issue 6 asks of the explorer, measured in one run:
 *  1. distinct states/s and states generated/s of `cmacheck explore` on the default world to
 *     depth 5 and on explore-tiny exhausted, twice each:
 *       model+impl  the default: results and full state digests compared on every transition,
 *                   snapshots compared and every invariant run on every new state;
 *       impl alone  sides 'impl': impl checked by the invariants only (on its snapshot), no
 *                   model — the explorer's own overhead without the reference model's cost;
 *     (target: ≥ 200 000 distinct states/s; the RESULT line says whether each line meets it);
 *  2. bytes per stored state: fingerprint table + BFS tree, over distinct states (target ≤ 16);
 *  3. where a transition's time goes: the explorer's per-transition steps timed one by one on a
 *     state of the default world (restore, apply, digests, compare), and the per-new-state ones
 *     (snapshots, invariants, save, alphabet).
 *
 * Timings are wall clock on whatever else the machine runs; compare lines from one run.
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
import { digesterFor, newDigest, sameDigest } from '../src/explore/digest.ts';
import { type ExploreSides, explore } from '../src/explore/explorer.ts';
import { snapshotsEqual } from '../src/harness/diff.ts';
import { INVARIANTS, checkInvariants } from '../src/invariants/index.ts';

const quick = process.argv.includes('--quick');

function worldFile(name: string): World {
  const file = new URL(`../worlds/${name}.json`, import.meta.url);
  return parseWorld(JSON.parse(readFileSync(file, 'utf8')), name);
}

interface Line {
  label: string;
  distinctRate: number;
  bytesPerState: number;
}

const TARGET_RATE = 200_000;
const TARGET_BYTES = 16;

function run(
  label: string,
  world: World,
  depthMax: number | null,
  alphabet: AlphabetOptions,
  sides: ExploreSides,
): Line {
  const started = performance.now();
  const result = explore({
    world,
    alphabet,
    depthMax,
    sides,
    statesMax: null,
    timeMs: null,
    shard: { index: 0, count: 1 },
    implementations: { model: () => new ModelAllocator(), impl: () => new ImplAllocator() },
    clock: () => performance.now(),
    shouldStop: () => false,
  });
  const seconds = (performance.now() - started) / 1000;
  const distinctRate = result.distinct / seconds;
  const generatedRate = Math.round(result.generated / seconds).toString();
  console.log(
    `${label}: ${result.distinct} distinct, ${result.generated} generated in` +
      ` ${seconds.toFixed(2)} s (${result.stop})`,
  );
  console.log(
    `  ${Math.round(distinctRate).toString().padStart(8)} distinct states/s` +
      `  (${(distinctRate / TARGET_RATE).toFixed(3)}x of 200 000)`,
  );
  console.log(
    `  ${generatedRate.padStart(8)} states generated/s` +
      ` · ${(result.generated / result.distinct).toFixed(1)} transitions per distinct state`,
  );
  console.log(
    `  ${result.bytesPerState.toFixed(1).padStart(8)} bytes per stored state` +
      `  (${(result.bytesPerState / TARGET_BYTES).toFixed(2)}x of 16) · collision probability` +
      ` ${result.collisionProbability.toExponential(1)}`,
  );
  return { label, distinctRate, bytesPerState: result.bytesPerState };
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
  const modelDigester = digesterFor(model, model.snapshot());
  const implDigester = digesterFor(impl, impl.snapshot());
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
  const restore = time('restore model + impl', n, () => {
    model.restoreState(savedModel);
    impl.restoreState(savedImpl);
  });
  const apply = time('apply to model + impl (includes restore)', n, () => {
    model.restoreState(savedModel);
    impl.restoreState(savedImpl);
    model.apply(step, 4);
    impl.apply(step, 4);
  });
  const expected = newDigest();
  const actual = newDigest();
  const digests = [
    time('impl digest (words + fingerprint)', n, () => implDigester.digest(actual, true)),
    time('model digest (words)', n, () => modelDigester.digest(expected, false)),
    time('compare the digests word for word', n, () => sameDigest(expected, actual)),
  ];
  const edge = apply + digests[0] + digests[1] + digests[2];
  console.log(
    `  ${'= one transition'.padEnd(44)} ${edge.toFixed(2).padStart(7)} µs` +
      ` → at most ${Math.round(1e6 / edge)} transitions/s (restore alone ${restore.toFixed(2)})`,
  );
  console.log('per new state (and per successful CMA op: the model snapshot + edge invariants):');
  time('model.snapshot() + impl.snapshot()', n / 4, () => {
    model.snapshot();
    impl.snapshot();
  });
  const snapshot = model.snapshot();
  const other = impl.snapshot();
  time('snapshotsEqual', n / 4, () => snapshotsEqual(snapshot, other));
  const context = { world, step: 4, op: step, result: { ok: true }, targetBefore: null };
  time('every invariant on one snapshot', n / 4, () =>
    checkInvariants(snapshot, context, 'model', INVARIANTS),
  );
  console.log('per expanded state:');
  time('model.saveState() + impl.saveState()', n / 4, () => {
    model.saveState();
    impl.saveState();
  });
  const fixed = fixedOps(world, snapshot, FULL_ALPHABET);
  time('alphabet of the state', n, () => enabledOps(fixed, snapshot, FULL_ALPHABET));
}

const small = worldFile('explore-small');
const tiny = worldFile('explore-tiny');
const tinyAlphabet: AlphabetOptions = {
  kinds: ['alloc', 'free', 'cmaAlloc', 'cmaRelease'],
  migratetypes: ['MOVABLE'],
};
const depth = quick ? 4 : 5;
const lines: Line[] = [];
for (const sides of ['both', 'impl'] as const) {
  const who = sides === 'both' ? 'model+impl' : 'impl alone';
  lines.push(run(`[${who}] explore-small, depth ${depth}`, small, depth, FULL_ALPHABET, sides));
  lines.push(
    run(
      `[${who}] explore-tiny, MOVABLE alloc/free/cmaAlloc/cmaRelease, exhausted`,
      tiny,
      null,
      tinyAlphabet,
      sides,
    ),
  );
}
breakdown(small);
for (const line of lines) {
  const rate = line.distinctRate >= TARGET_RATE ? 'met' : 'NOT met';
  const bytes = line.bytesPerState <= TARGET_BYTES ? 'met' : 'NOT met';
  console.log(
    `RESULT ${line.label}: ${Math.round(line.distinctRate)} distinct states/s` +
      ` (target 200 000: ${rate}), ${line.bytesPerState.toFixed(1)} bytes/state` +
      ` (target 16: ${bytes})`,
  );
}
