/**
 * The campaign: runs drawn from a seed (a world per run unless one is fixed, then a generated op
 * sequence), each checked by the differential runner; every failure is localized, shrunk,
 * de-duplicated by signature and saved to the corpus. Deterministic for a seed and a run count:
 * run r uses the seed mixSeed(seed, r) whatever the shard, worker or timing.
 */
import fc from 'fast-check';
import type { Behaviours } from '../core/allocator.ts';
import type { Op } from '../core/op.ts';
import type { World } from '../core/world.ts';
import { parseWorld } from '../core/worldParse.ts';
import { declareLayout } from '../../model/boot/layout.ts';
import { opsArbitrary, resolveGenOp } from '../generate/ops.ts';
import { type WorldShape, DEFAULT_WORLD_SHAPE, worldArbitrary } from '../generate/world.ts';
import { saveTrace } from '../harness/corpus.ts';
import {
  type Failure,
  type Implementations,
  type RunOptions,
  DEFAULT_RUN_OPTIONS,
  DifferentialRun,
  runTrace,
} from '../harness/runner.ts';
import { type ShrinkOptions, DEFAULT_SHRINK_OPTIONS, shrinkTrace } from '../harness/shrink.ts';
import { type Trace, signatureOf, signatureText } from '../harness/trace.ts';
import { mergeBehaviours } from './behaviours.ts';

export interface CampaignOptions {
  seed: number;
  /** Stop after this many runs (of this shard); null: until the time budget is spent. */
  runs: number | null;
  /** Time budget in ms; null: no limit (then `runs` must be set). */
  timeMs: number | null;
  /** A fixed world for every run, or null to draw one per run. */
  world: World | null;
  worldShape: WorldShape;
  opsPerRunMax: number;
  /** This process takes runs r with r % shardCount === shardIndex. */
  shardIndex: number;
  shardCount: number;
  against: string;
  /** Where new failures are written; null: nowhere (tests). */
  corpusDir: string | null;
  runOptions: RunOptions;
  shrinkOptions: ShrinkOptions;
  /** Checked between runs; true stops the campaign cleanly (Ctrl-C). */
  shouldStop: () => boolean;
  onRunDone?: (progress: CampaignProgress) => void;
}

export const DEFAULT_CAMPAIGN_OPTIONS: Omit<CampaignOptions, 'seed' | 'shouldStop'> = {
  runs: null,
  timeMs: 30_000,
  world: null,
  worldShape: DEFAULT_WORLD_SHAPE,
  opsPerRunMax: 1000,
  shardIndex: 0,
  shardCount: 1,
  against: 'impl',
  corpusDir: 'counterexamples',
  // K = 32: every op's result and step view (counters, free-list ends, its allocation record)
  // are compared at once, so what is left for the full check (whole lists, pageblocks, bitmaps,
  // the invariants) shows at most 32 ops late and is localized by a K = 1 replay; the zoo
  // (properties/zoo) still catches every mutant at its seed with traces of at most 8 ops.
  runOptions: { ...DEFAULT_RUN_OPTIONS, fullCheckEvery: 32 },
  shrinkOptions: DEFAULT_SHRINK_OPTIONS,
};

export interface CampaignProgress {
  runs: number;
  ops: number;
  failures: number;
  elapsedMs: number;
}

export interface FoundFailure {
  signature: string;
  run: number;
  /** How many runs hit this signature. */
  hits: number;
  opsBeforeShrink: number;
  trace: Trace;
  file: string | null;
  shrinkRuns: number;
}

export interface CampaignResult {
  runs: number;
  ops: number;
  skipped: number;
  failures: FoundFailure[];
  behaviours: Behaviours;
  elapsedMs: number;
  interrupted: boolean;
}

/** A 32-bit seed for run `run` (splitmix-style mixing, so neighbouring runs are unrelated). */
export function mixSeed(seed: number, run: number): number {
  let z = (seed ^ Math.imul(run + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) | 0;
}

export interface DrawnRun {
  world: World;
  run: DifferentialRun;
  ops: Op[];
  failure: Failure | null;
}

/** Draws run `run` of a campaign and executes it once (with the options' check interval). */
export function executeRun(
  options: CampaignOptions,
  implementations: Implementations,
  run: number,
): DrawnRun {
  const seed = mixSeed(options.seed, run);
  const world =
    options.world ??
    parseWorld(
      fc.sample(worldArbitrary(options.worldShape), { seed, numRuns: 1 })[0],
      `<run ${run}>`,
    );
  const areaPages = declareLayout(world).areas.map((area) => area.count);
  const genOps = fc.sample(opsArbitrary({ world, areaPages }, options.opsPerRunMax), {
    seed: seed ^ 0x5bd1e995,
    numRuns: 1,
  })[0];
  const differential = new DifferentialRun(
    world,
    implementations.model(),
    implementations.impl(),
    options.runOptions,
  );
  const ops: Op[] = [];
  let failure = differential.boot();
  for (const genOp of genOps) {
    if (failure !== null) break;
    const op = resolveGenOp(genOp, differential.live);
    if (op === null) continue;
    ops.push(op);
    failure = differential.step(op);
  }
  if (failure === null) failure = differential.finish();
  return { world, run: differential, ops, failure };
}

/** The first failing step of a drawn run, found by replaying its ops with a check after every step. */
function localize(
  options: CampaignOptions,
  implementations: Implementations,
  drawn: DrawnRun,
): Failure {
  const exact = runTrace(drawn.world, drawn.ops, implementations, {
    ...options.runOptions,
    fullCheckEvery: 1,
  });
  return exact.failure ?? (drawn.failure as Failure);
}

function recordFailure(
  options: CampaignOptions,
  implementations: Implementations,
  drawn: DrawnRun,
  failure: Failure,
  run: number,
): FoundFailure {
  const shrunk = shrinkTrace(
    drawn.world,
    drawn.ops,
    failure,
    implementations,
    options.shrinkOptions,
  );
  const replay = runTrace(shrunk.world, shrunk.ops, implementations, {
    ...options.runOptions,
    fullCheckEvery: 1,
  });
  const signature = signatureOf(shrunk.failure, shrunk.ops);
  const trace: Trace = {
    world: shrunk.world,
    ops: shrunk.ops,
    against: options.against,
    // A failure of the real impl is recorded as what must hold: CI stays red until it is fixed.
    // A zoo mutant is recorded as the failure it must keep showing.
    expect: options.against === 'impl' ? 'pass' : 'fail',
    failure: { ...signature, step: shrunk.failure.step, explanation: shrunk.failure.explanation },
    results: replay.results,
    found: {
      by: 'campaign',
      seed: options.seed,
      run,
      opsBeforeShrink: drawn.ops.length,
      shrinkRuns: shrunk.runs,
    },
  };
  const file = options.corpusDir === null ? null : saveTrace(options.corpusDir, trace).path;
  return {
    signature: signatureText(signature, options.against),
    run,
    hits: 1,
    opsBeforeShrink: drawn.ops.length,
    trace,
    file,
    shrinkRuns: shrunk.runs,
  };
}

export function runCampaign(
  options: CampaignOptions,
  implementations: Implementations,
  clock: () => number,
): CampaignResult {
  const started = clock();
  const result: CampaignResult = {
    runs: 0,
    ops: 0,
    skipped: 0,
    failures: [],
    behaviours: {},
    elapsedMs: 0,
    interrupted: false,
  };
  const bySignature = new Map<string, FoundFailure>();
  for (let run = options.shardIndex; ; run += options.shardCount) {
    if (options.runs !== null && result.runs >= options.runs) break;
    if (options.timeMs !== null && clock() - started >= options.timeMs) break;
    if (options.shouldStop()) {
      result.interrupted = true;
      break;
    }
    const drawn = executeRun(options, implementations, run);
    result.runs++;
    result.ops += drawn.ops.length;
    result.skipped += drawn.run.results.filter((r) => 'skipped' in r).length;
    mergeBehaviours(result.behaviours, drawn.run.model.behaviours());
    if (drawn.failure !== null) {
      const failure = localize(options, implementations, drawn);
      const key = signatureText(signatureOf(failure, drawn.ops), options.against);
      const known = bySignature.get(key);
      if (known !== undefined) known.hits++;
      else {
        const found = recordFailure(options, implementations, drawn, failure, run);
        bySignature.set(key, found);
        result.failures.push(found);
      }
    }
    options.onRunDone?.({
      runs: result.runs,
      ops: result.ops,
      failures: result.failures.length,
      elapsedMs: clock() - started,
    });
  }
  result.elapsedMs = clock() - started;
  return result;
}
