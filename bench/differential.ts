/**
 * bench/differential.ts — what issue 4 asks the harness to print, measured in one run:
 *  1. ops/s of impl and of the model on the same trace at 2^18 pages, and their ratio
 *     (target: impl ≥ 20x the model);
 *  2. checked ops/s of the full differential runner (model + impl; results and step views —
 *     counters, free-list ends, the op's allocation record — compared after every op, snapshots
 *     and every invariant every K steps and at the end, localized on failure) on small worlds
 *     drawn by the campaign's generators (target: ≥ 220k ops/s), best of ROUNDS passes over
 *     the same runs after a warm-up pass (checkedRunner()).
 *
 *   npx tsx bench/differential.ts [--quick]
 *
 * The 2^18 trace is the C yardstick's workload (bench/yardstick.ts) written as ops: mulberry32
 * seed 42, allocations below an occupancy target of 87.5%, orders ctz(rand | 1 << 10), migratetypes
 * uniform, frees of a uniformly chosen live allocation. Both sides run it through the Allocator
 * interface (op objects, allocation handles), so the ratio compares the implementations, not
 * their fast paths.
 */
import { ImplAllocator } from '../impl/allocator.ts';
import { ModelAllocator } from '../model/allocator.ts';
import { REQUEST_MIGRATETYPE_NAMES } from '../src/core/migratetype.ts';
import type { Op } from '../src/core/op.ts';
import { isOk } from '../src/core/result.ts';
import { parseWorld } from '../src/core/worldParse.ts';
import { DEFAULT_CAMPAIGN_OPTIONS, executeRun } from '../src/campaign/campaign.ts';
import { DEFAULT_WORLD_SHAPE } from '../src/generate/world.ts';
import { Rng } from '../src/generate/rng.ts';
import { implementationsFor } from '../src/harness/registry.ts';

const quick = process.argv.includes('--quick');

function yardstickWorld(pagesLog2: number) {
  const pages = 1 << pagesLog2;
  return parseWorld({ name: `yardstick-${pagesLog2}`, pages, maxOrder: 10, pageblockOrder: 9,
    cma: [{ name: 'top', base: pages - pages / 8, size: pages / 8 }] });
}

/** The yardstick workload as a trace; targets resolved against the allocations `runner` reports. */
function yardstickTrace(world: YardstickWorld, opCount: number): Op[] {
  const rng = new Rng(42);
  const impl = new ImplAllocator();
  impl.boot(world);
  const ops: Op[] = [];
  const live: { id: number; pages: number }[] = [];
  let used = 0;
  for (let step = 0; step < opCount; step++) {
    const r = rng.next() & 0xffff;
    const below = used * 16 < world.pages * 14;
    let op: Op;
    if (live.length === 0 || (below ? r < 0x8ccd : r < 0x7333)) {
      const bits = rng.next() | (1 << 10);
      const order = 31 - Math.clz32(bits & -bits); // ctz: half order 0, a quarter order 1, ...
      op = { kind: 'alloc', order, migratetype: REQUEST_MIGRATETYPE_NAMES[rng.next() % 3] };
    } else {
      const index = rng.next() % live.length;
      const victim = live[index];
      live[index] = live[live.length - 1];
      live.pop();
      used -= victim.pages;
      op = { kind: 'free', target: victim.id };
    }
    const result = impl.apply(op, step);
    if (op.kind === 'alloc' && isOk(result)) {
      live.push({ id: step, pages: 1 << op.order });
      used += 1 << op.order;
    }
    ops.push(op);
  }
  return ops;
}

type YardstickWorld = ReturnType<typeof yardstickWorld>;

/**
 * ops/s of `allocator` on `ops`. One copy of the loop per side (timeImpl, timeModel): a loop
 * shared by both would see two receiver types at its apply() call once the other side ran,
 * and V8 would then time the dispatch instead of the implementation.
 */
function timeImpl(world: YardstickWorld, ops: readonly Op[]): number {
  const allocator = new ImplAllocator();
  allocator.boot(world);
  const started = performance.now();
  for (let step = 0; step < ops.length; step++) allocator.apply(ops[step], step);
  return ops.length / ((performance.now() - started) / 1000);
}

function timeModel(world: YardstickWorld, ops: readonly Op[]): number {
  const allocator = new ModelAllocator();
  allocator.boot(world);
  const started = performance.now();
  for (let step = 0; step < ops.length; step++) allocator.apply(ops[step], step);
  return ops.length / ((performance.now() - started) / 1000);
}

/** Every round's ops/s in millions, as the table's numbers. */
function millions(timed: readonly number[]): string {
  return timed.map((opsPerSecond) => (opsPerSecond / 1e6).toFixed(3)).join(' ');
}

function fmt(opsPerSecond: number): string {
  return `${(opsPerSecond / 1e6).toFixed(3).padStart(8)} M ops/s`;
}

/**
 * Rounds of the model-vs-impl comparison: each side's best round counts (the machine may be
 * shared, and interference only ever slows a run down), after a warm-up so that a round times
 * code V8 has optimized. impl's rounds come first: a model run leaves a heap of garbage whose
 * concurrent marking would run during the next impl round and time the model's GC; impl
 * leaves next to none.
 */
const ROUNDS = 3;

function modelVersusImpl(): void {
  const world = yardstickWorld(18);
  const ops = yardstickTrace(world, quick ? 200_000 : 1_000_000);
  const warmUp = ops.slice(0, 100_000);
  timeImpl(world, warmUp);
  const implRounds = Array.from({ length: ROUNDS }, () => timeImpl(world, ops));
  timeModel(world, warmUp);
  const modelRounds = Array.from({ length: ROUNDS }, () => timeModel(world, ops));
  const impl = Math.max(...implRounds);
  const model = Math.max(...modelRounds);
  console.log(`same trace, 2^18 pages, ${ops.length} ops (Allocator.apply),`
    + ` best of ${ROUNDS} rounds each:`);
  console.log(`  model ${fmt(model)}   (rounds ${millions(modelRounds)})`);
  console.log(`  impl  ${fmt(impl)}   (rounds ${millions(implRounds)})`);
  console.log(`  ratio impl/model ${(impl / model).toFixed(1)}x  (target >= 20x)`);
  console.log(`RESULT model_vs_impl model_ops_per_s=${Math.round(model)}`
    + ` impl_ops_per_s=${Math.round(impl)} ratio=${(impl / model).toFixed(2)}`);
}

/**
 * The checked runner over a fixed set of runs (seeds 0..runs-1), timed in ROUNDS passes after a
 * warm-up pass over the same runs; the best pass counts, as for the rounds above. A first pass
 * over new runs is mostly V8 compiling the paths their worlds reach for the first time (measured:
 * 166–189k ops/s on the first pass, 223–275k on the next three), which a campaign — 30 s and
 * thousands of runs by default — pays once; every pass is printed.
 */
function checkedRunner(): void {
  const implementations = implementationsFor('impl');
  if (implementations === null) throw new Error('impl is not registered');
  const options = {
    ...DEFAULT_CAMPAIGN_OPTIONS, seed: 1, runs: null, timeMs: null, corpusDir: null, shouldStop: () => false,
    worldShape: { ...DEFAULT_WORLD_SHAPE, pagesLog2Max: 10 },
  };
  const runs = quick ? 100 : 400;
  const pass = (): { ops: number; failures: number; opsPerSecond: number } => {
    let ops = 0;
    let failures = 0;
    const started = performance.now();
    for (let run = 0; run < runs; run++) {
      const drawn = executeRun(options, implementations, run);
      ops += drawn.ops.length;
      if (drawn.failure !== null) failures++;
    }
    return { ops, failures, opsPerSecond: ops / ((performance.now() - started) / 1000) };
  };
  pass(); // warm-up
  const passes = Array.from({ length: ROUNDS }, pass);
  const best = Math.max(...passes.map((timed) => timed.opsPerSecond));
  const { ops, failures } = passes[0];
  console.log(`checked differential runner, worlds of 64..1024 pages, full check every ${options.runOptions.fullCheckEvery} steps:`);
  console.log(`  ${runs} runs, ${ops} ops, ${failures} failing runs, best of ${ROUNDS} passes after a warm-up pass:`
    + ` ${fmt(best)}  (target >= 0.220 M ops/s)`);
  console.log(`  passes: ${millions(passes.map((timed) => timed.opsPerSecond))} M ops/s`);
  console.log(`RESULT checked_runner ops=${ops} ops_per_s=${Math.round(best)} failing_runs=${failures}`);
}

modelVersusImpl();
checkedRunner();
