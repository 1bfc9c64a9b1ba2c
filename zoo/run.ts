/**
 * The bug zoo run (`cmacheck zoo`, properties/zoo/zoo.spec.ts): for each mutant, the default
 * campaign (DEFAULT_CAMPAIGN_OPTIONS, a fixed seed, no corpus) against `zoo:<name>` until its
 * first failure or the run budget. What a caught mutant reports: the runs and seconds it took,
 * the shrunk trace, and what fired.
 *
 * When what fired is model-impl-agree (the results or snapshots of model and mutant differ, or
 * the mutant crashed), that says nothing about the invariants: the runner compares results
 * before it runs them. So the same campaign runs again with the mutant on *both* sides, where
 * only the invariants can fail; the invariant it finds is reported beside. A mutant that this
 * second campaign does not catch is "model-impl-agree only": a gap in the invariants.
 *
 * Determinism: which run fails, the shrunk trace and what fires depend only on the seed and the
 * budget; the seconds are wall-clock time, for the table only.
 */
import {
  type CampaignOptions,
  DEFAULT_CAMPAIGN_OPTIONS,
  type FoundFailure,
  executeRun,
  runCampaign,
} from '../src/campaign/campaign.ts';
import { ModelAllocator } from '../model/allocator.ts';
import type { InvariantId } from '../src/core/violation.ts';
import type { Profile } from '../src/core/world.ts';
import { DEFAULT_WORLD_SHAPE } from '../src/generate/world.ts';
import { type Implementations, runTrace } from '../src/harness/runner.ts';
import { type FailureSignature, signatureOf } from '../src/harness/trace.ts';
import type { Mutant } from './mutants.ts';

/**
 * The seed of `cmacheck zoo` unless --seed says otherwise. Seeds 1..19 each catch every mutant
 * within the budget too; this one was picked by a scan (seeds 20..40 and 1001..1046) as one
 * where every failure also shrinks to at most ZOO_TRACE_OPS_MAX ops (1018 is the other one).
 * At most seeds the migration mutants shrink to 10..60 ops: a MOVABLE page reaches a CMA window
 * only once MOVABLE memory is full, and the shrinker can neither merge the filling allocations
 * nor drop the lower half of a world whose fixed CMA area lies in the upper half.
 */
export const ZOO_SEED_DEFAULT = 1032;
/** Runs per mutant before it counts as escaped. */
export const ZOO_RUNS_DEFAULT = 400;
/** A caught mutant's shrunk trace is at most this long (DESIGN.md "a few operations"). */
export const ZOO_TRACE_OPS_MAX = 8;

export interface ZooOptions {
  seed: number;
  /** The profile of every world the campaign draws (`cmacheck zoo --profile`). */
  profile: Profile;
  /** Run budget per mutant (and per invariants-alone campaign). */
  runsMax: number;
  /** Run the invariants-alone campaign when only model-impl-agree fired. */
  checkAlone: boolean;
  /** Candidate runs the shrinker may spend on the failure (the campaign's default: 4000). */
  shrinkRunsMax: number;
}

export const DEFAULT_ZOO_OPTIONS: ZooOptions = {
  seed: ZOO_SEED_DEFAULT,
  profile: 'K4_9',
  runsMax: ZOO_RUNS_DEFAULT,
  checkAlone: true,
  shrinkRunsMax: DEFAULT_CAMPAIGN_OPTIONS.shrinkOptions.runsMax,
};

/** The campaign with the mutant on both sides: what the invariants catch on their own. */
export interface AloneOutcome {
  /** The invariant that fired; null for a crash or when nothing failed within the budget. */
  invariant: InvariantId | null;
  crashed: boolean;
  runs: number;
  seconds: number;
}

export interface ZooOutcome {
  name: string;
  expected: InvariantId;
  profile: Profile;
  /**
   * Why the mutant's broken rule does not exist under `profile` (Mutant.notUnder): nothing
   * was run, and the mutant counts neither as caught nor as escaped. Null when it applies.
   */
  notApplicable: string | null;
  caught: boolean;
  /** Runs up to and including the failing one; the whole budget when the mutant escaped. */
  runs: number;
  /** Wall-clock time to the first failure, shrinking included (the alone campaign apart). */
  seconds: number;
  /** The first failure, shrunk; null when the mutant escaped. */
  found: FoundFailure | null;
  /** Only when what fired is model-impl-agree and the options ask for it. */
  alone: AloneOutcome | null;
}

/**
 * The campaign the zoo runs: the default one at the zoo's seed and budget, on worlds of the
 * zoo's profile, no corpus.
 */
export function zooCampaignOptions(against: string, options: ZooOptions): CampaignOptions {
  return {
    ...DEFAULT_CAMPAIGN_OPTIONS,
    worldShape: { ...DEFAULT_WORLD_SHAPE, profile: [options.profile] },
    seed: options.seed,
    runs: options.runsMax,
    timeMs: null,
    against,
    corpusDir: null,
    shrinkOptions: { ...DEFAULT_CAMPAIGN_OPTIONS.shrinkOptions, runsMax: options.shrinkRunsMax },
    shouldStop: () => false,
  };
}

/** The model beside the mutant, as the registry pairs every `zoo:<name>`. */
export function pairedWithModel(mutant: Mutant): Implementations {
  return { model: () => new ModelAllocator(), impl: mutant.create };
}

/** Runs the campaign against `implementations` until its first failure or `runsMax` runs. */
function firstFailure(
  against: string,
  implementations: Implementations,
  options: ZooOptions,
  clock: () => number,
): { found: FoundFailure | null; runs: number } {
  let failed = false;
  const campaign: CampaignOptions = {
    ...zooCampaignOptions(against, options),
    shouldStop: () => failed,
    onRunDone: (progress) => {
      failed = progress.failures > 0;
    },
  };
  const result = runCampaign(campaign, implementations, clock);
  const found = result.failures[0] ?? null;
  return { found, runs: found === null ? result.runs : found.run + 1 };
}

/**
 * Run `run` of the zoo's campaign against `mutant` on its own: the signature of its failure,
 * localized to its step as the campaign does it, or null when the run passes. Cheaper than the
 * campaign when the failing run is known (the corpus records it).
 */
export function failingRunSignature(
  mutant: Mutant,
  options: ZooOptions,
  run: number,
): FailureSignature | null {
  const implementations = pairedWithModel(mutant);
  const campaign = zooCampaignOptions(`zoo:${mutant.name}`, options);
  const drawn = executeRun(campaign, implementations, run);
  if (drawn.failure === null) return null;
  const exact = runTrace(drawn.world, drawn.ops, implementations, {
    ...campaign.runOptions,
    fullCheckEvery: 1,
  });
  return signatureOf(exact.failure ?? drawn.failure, drawn.ops);
}

/** The check expected to catch `mutant` under `profile`. */
export function expectedUnder(mutant: Mutant, profile: Profile): InvariantId {
  return mutant.expectedUnder?.[profile] ?? mutant.expected;
}

/** Is what fired the differential check's own verdict rather than an invariant? */
export function firedModelImplAgree(found: FoundFailure): boolean {
  return found.trace.failure?.invariant === 'model-impl-agree';
}

/**
 * The campaign against one mutant, and the invariants-alone campaign when it is needed; no
 * campaign at all when the mutant declares its rule absent from the profile.
 */
export function runMutant(mutant: Mutant, options: ZooOptions, clock: () => number): ZooOutcome {
  const { name } = mutant;
  const { profile } = options;
  const expected = expectedUnder(mutant, profile);
  const notApplicable = mutant.notUnder?.[profile] ?? null;
  if (notApplicable !== null) {
    return {
      name, expected, profile, notApplicable, caught: false, runs: 0, seconds: 0, found: null,
      alone: null,
    };
  }
  const started = clock();
  const against = `zoo:${mutant.name}`;
  const { found, runs } = firstFailure(against, pairedWithModel(mutant), options, clock);
  const seconds = (clock() - started) / 1000;
  const alone = found !== null && options.checkAlone && firedModelImplAgree(found)
    ? runAlone(mutant, options, clock)
    : null;
  return {
    name, expected, profile, notApplicable, caught: found !== null, runs, seconds, found, alone,
  };
}

/** The campaign with the mutant on both sides (no shrinking: only what fires is wanted). */
function runAlone(mutant: Mutant, options: ZooOptions, clock: () => number): AloneOutcome {
  const started = clock();
  const itself: Implementations = { model: mutant.create, impl: mutant.create };
  const noShrinking = { ...options, shrinkRunsMax: 0 };
  const aloneRun = firstFailure(`zoo:${mutant.name}`, itself, noShrinking, clock);
  const failure = aloneRun.found?.trace.failure ?? null;
  return {
    invariant: failure === null || failure.kind === 'crash' ? null : failure.invariant,
    crashed: failure?.kind === 'crash',
    runs: aloneRun.runs,
    seconds: (clock() - started) / 1000,
  };
}

/**
 * Did the expected invariant catch the mutant? Either it fired first, or only model-impl-agree
 * fired and the invariants alone then found it; a mutant expected to be model-impl-agree only
 * must not be found by the invariants alone.
 */
export function expectedFired(outcome: ZooOutcome): boolean {
  const failure = outcome.found?.trace.failure ?? null;
  if (failure === null) return false;
  if (failure.invariant !== 'model-impl-agree') return failure.invariant === outcome.expected;
  if (outcome.expected !== 'model-impl-agree') return outcome.alone?.invariant === outcome.expected;
  return outcome.alone === null || outcome.alone.invariant === null;
}

/** What fired, in words: an invariant, a crash, or model-impl-agree and what the invariants do. */
export function firedText(outcome: ZooOutcome): string {
  const failure = outcome.found?.trace.failure ?? null;
  if (failure === null) return '-';
  if (failure.invariant !== 'model-impl-agree') return failure.invariant;
  const first = failure.kind === 'crash' ? `crash (${failure.side})` : 'model-impl-agree';
  const alone = outcome.alone;
  if (alone === null) return first;
  if (alone.invariant !== null) return `${first}; alone: ${alone.invariant}`;
  if (alone.crashed) return `${first}; alone: crash`;
  return `${first} only`;
}
