/**
 * A violation found by the explorer, turned into what the campaign would have produced: the
 * path is replayed by the campaign's differential runner (src/harness/runner.ts) with a full
 * check after every step, which gives the failure, the step results and the final state; the
 * trace is then saved to the corpus like any other (found.by = 'explore').
 *
 * The replay is also a check on the explorer: the runner starts from a fresh boot, so a
 * violation that it does not reproduce at the same step means the explorer's state was not the
 * state the path leads to — a saveState()/restoreState() that misses something, or an
 * implementation that is not deterministic. That is an error of cmacheck, reported as such.
 */
import type { Op } from '../core/op.ts';
import type { Snapshot } from '../core/snapshot.ts';
import type { World } from '../core/world.ts';
import { saveTrace } from '../harness/corpus.ts';
import {
  DEFAULT_RUN_OPTIONS,
  type Implementations,
  type RunOutcome,
  runTrace,
} from '../harness/runner.ts';
import { type Trace, signatureOf } from '../harness/trace.ts';

export interface Counterexample {
  trace: Trace;
  outcome: RunOutcome;
  /** The failing side's snapshot after the failing step, for the story's pageblock line. */
  snapshot: Snapshot | null;
}

export function confirmCounterexample(
  world: World,
  ops: readonly Op[],
  against: string,
  implementations: Implementations,
): Counterexample {
  const outcome = runTrace(world, ops, implementations, DEFAULT_RUN_OPTIONS);
  const failure = outcome.failure;
  if (failure === null || failure.step !== ops.length - 1) {
    const seen = failure === null ? 'everything holds' : `it fails at step ${failure.step}`;
    throw new Error(
      `explore: the violation found after ${ops.length} ops does not replay (${seen}):` +
        ' a saveState()/restoreState() misses part of the state, or a side is not deterministic',
    );
  }
  const trace: Trace = {
    world,
    ops: [...ops],
    against,
    // As the campaign records it: a failure of the real impl must be fixed (CI stays red until
    // then); a zoo mutant must keep showing its failure.
    expect: against === 'impl' ? 'pass' : 'fail',
    failure: { ...signatureOf(failure, ops), step: failure.step, explanation: failure.explanation },
    results: outcome.results,
    found: { by: 'explore', seed: null, run: null, opsBeforeShrink: null, shrinkRuns: null },
  };
  return { trace, outcome, snapshot: failingSnapshot(outcome) };
}

function failingSnapshot(outcome: RunOutcome): Snapshot | null {
  const side = outcome.failure?.side === 'model' ? outcome.run.model : outcome.run.impl;
  try {
    return side.snapshot();
  } catch {
    return null;
  }
}

/** Saves the trace to `directory` (atomically, one file per failure signature). */
export function saveCounterexample(
  directory: string,
  counterexample: Counterexample,
): { path: string; created: boolean } {
  return saveTrace(directory, counterexample.trace);
}
