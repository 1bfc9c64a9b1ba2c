/**
 * The differential runner: boots model and impl on one world, applies each op to both, compares
 * their results and their step views (src/core/stepView.ts: counters, free-list ends and the
 * op's allocation record — what an op can change besides its pages) after every step, and their
 * snapshots every `fullCheckEvery` steps (and at the end), running every invariant on both
 * snapshots at those points. A step view that differs is explained at once by a full check of
 * that step. A failure found late (K > 1) is localized by replaying the same ops with a full
 * check after every step: runs are deterministic, so the replay meets the first failing step
 * exactly.
 */
import type { Allocator, BootReport, OpResult } from '../core/allocator.ts';
import {
  type ResultCode, decodeResult, describeResult,
} from '../core/result.ts';
import type { Op } from '../core/op.ts';
import type { Snapshot } from '../core/snapshot.ts';
import { describeViewEntry, firstViewDifference } from '../core/stepView.ts';
import type { CheckContext, Invariant, InvariantId, Violation } from '../core/violation.ts';
import type { World } from '../core/world.ts';
import { INVARIANTS, checkInvariants } from '../invariants/index.ts';
import { diffSnapshots, snapshotsEqual } from './diff.ts';
import { LiveSet } from './liveSet.ts';

export interface Implementations {
  model: () => Allocator;
  impl: () => Allocator;
}

export interface RunOptions {
  /** Snapshots compared and invariants run every K steps (1 = every step). */
  fullCheckEvery: number;
  invariants: readonly Invariant[];
}

export const DEFAULT_RUN_OPTIONS: RunOptions = { fullCheckEvery: 1, invariants: INVARIANTS };

export type FailureKind = 'violation' | 'disagreement' | 'crash';

export interface Failure {
  kind: FailureKind;
  invariant: InvariantId;
  /** 'model', 'impl', or 'both' (a disagreement concerns both). */
  side: string;
  /** Index of the op after which the failure showed; -1 for boot. */
  step: number;
  explanation: string;
  pfns: number[];
  /** Further findings or diff lines, already localized. */
  details: string[];
}

export type StepResult = OpResult | { skipped: string };

export interface RunOutcome {
  boot: BootReport;
  /** One entry per op applied before the run stopped (a failing op included). */
  results: StepResult[];
  failure: Failure | null;
  /** The run itself, with both implementations in their final state (for pictures). */
  run: DifferentialRun;
}

/** One run in progress: the harness side of a model and an impl booted on the same world. */
export class DifferentialRun {
  readonly live = new LiveSet();
  readonly results: StepResult[] = [];
  bootReport: BootReport | null = null;
  #sinceFullCheck = 0;
  /** Reused by every step view (no garbage per op). */
  readonly #viewExpected: number[] = [];
  readonly #viewActual: number[] = [];

  constructor(
    readonly world: World,
    readonly model: Allocator,
    readonly impl: Allocator,
    readonly options: RunOptions = DEFAULT_RUN_OPTIONS,
  ) {}

  boot(): Failure | null {
    const reports: BootReport[] = [];
    for (const side of [this.model, this.impl]) {
      try {
        reports.push(side.boot(this.world));
      } catch (error) {
        return crash(side.name, -1, error);
      }
    }
    this.bootReport = reports[0];
    if (JSON.stringify(reports[0]) !== JSON.stringify(reports[1])) {
      return disagreement(-1, 'boot report', [
        `expected ${JSON.stringify(reports[0])}`,
        `actual ${JSON.stringify(reports[1])}`,
      ]);
    }
    return this.fullCheck(-1, null, null, null);
  }

  /** Applies the next op; returns the failure it caused, if any. */
  step(op: Op): Failure | null {
    const step = this.results.length;
    const skip = this.live.skipReason(op);
    if (skip !== null) {
      this.results.push({ skipped: skip });
      return null;
    }
    const targetBefore = 'target' in op ? (this.live.byId.get(op.target) ?? null) : null;
    let expectedCode: ResultCode;
    let expected: OpResult;
    let actual: ResultCode;
    try {
      expectedCode = this.model.apply(op, step);
      expected = decodeResult(expectedCode);
    } catch (error) {
      this.results.push({ skipped: 'model crashed' });
      return crash(this.model.name, step, error);
    }
    try {
      actual = this.impl.apply(op, step);
    } catch (error) {
      this.results.push(expected);
      return crash(this.impl.name, step, error);
    }
    this.results.push(expected);
    // Codes are equal exactly when the results are (src/core/result.ts).
    if (expectedCode !== actual) {
      const explanation = `${op.kind} result: expected ${describeResult(expectedCode)}`
        + ` actual ${describeResult(actual)}`;
      return this.explainDisagreement(step, op, expected, targetBefore, explanation);
    }
    this.live.record(op, step, expected);
    this.#sinceFullCheck++;
    if (this.#sinceFullCheck >= this.options.fullCheckEvery)
      return this.fullCheck(step, op, expected, targetBefore);
    return (
      this.viewCheck(step, op, expected, targetBefore) ??
      this.stepCheck(step, op, expected, targetBefore, this.viewsCompared())
    );
  }

  /**
   * Between full checks: compares the two step views after the op (when both sides can write
   * one). The allocation in the view is the op's target, or the one the op made (its handle is
   * the step). A view is a projection of the snapshot, so a difference means the snapshots
   * differ here: the full check of this step then says how, as it would with K = 1.
   */
  viewCheck(
    step: number,
    op: Op,
    result: OpResult,
    targetBefore: CheckContext['targetBefore'],
  ): Failure | null {
    const { model, impl } = this;
    if (model.stepView === undefined || impl.stepView === undefined) return null;
    const allocationId = 'target' in op ? op.target : step;
    let expected: number[];
    let actual: number[];
    try {
      expected = model.stepView(allocationId, this.#viewExpected);
    } catch (error) {
      return crash(model.name, step, error);
    }
    try {
      actual = impl.stepView(allocationId, this.#viewActual);
    } catch (error) {
      return crash(impl.name, step, error);
    }
    const index = firstViewDifference(expected, actual);
    if (index < 0) return null;
    const checked = this.fullCheck(step, op, result, targetBefore);
    if (checked !== null) return checked;
    const entry = describeViewEntry(this.world, allocationId, index);
    return disagreement(step, `${entry}: expected ${expected[index]} actual ${actual[index]}`, [
      'the snapshots agree, so one side\'s stepView() does not match its snapshot()',
    ]);
  }

  /**
   * Whether viewCheck() compares a reference with another implementation: the step views of
   * both sides are then held equal after every op, which stepCheck() relies on for `viewed`
   * invariants. Against itself (the model alone, a zoo mutant alone) there is no reference.
   */
  viewsCompared(): boolean {
    const { model, impl } = this;
    return model.stepView !== undefined && impl.stepView !== undefined && model.name !== impl.name;
  }

  /**
   * Compares both snapshots and runs every invariant. Equal snapshots are checked once (a
   * violation then concerns both sides); different ones are checked on each side, so an
   * invariant that fires on impl only is reported with the diff as its details.
   */
  fullCheck(
    step: number,
    op: Op | null,
    result: OpResult | null,
    targetBefore: CheckContext['targetBefore'],
  ): Failure | null {
    this.#sinceFullCheck = 0;
    const snapshots: Snapshot[] = [];
    for (const side of [this.model, this.impl]) {
      try {
        snapshots.push(side.snapshot());
      } catch (error) {
        return crash(side.name, step, error);
      }
    }
    const [expected, actual] = snapshots;
    const context: CheckContext = { world: this.world, step, op, result, targetBefore };
    if (snapshotsEqual(expected, actual)) {
      const violations = checkInvariants(expected, context, 'both', this.options.invariants);
      return violations.length === 0 ? null : violationFailure(step, violations);
    }
    const diff = diffSnapshots(expected, actual);
    const implViolations = checkInvariants(
      actual,
      context,
      this.impl.name,
      this.options.invariants,
    );
    const modelViolations = checkInvariants(
      expected,
      context,
      this.model.name,
      this.options.invariants,
    );
    // An invariant that fires on impl only says more than a diff: report it, with the diff.
    if (implViolations.length > 0 && modelViolations.length === 0) {
      const failure = violationFailure(step, implViolations);
      return { ...failure, details: [...failure.details, ...diff] };
    }
    return disagreement(step, diff[0] ?? 'snapshots differ', diff.slice(1));
  }

  /**
   * Between full checks, after an op some invariants read (their `stepOps`: a release, a CMA
   * allocation): only those run, on the impl, since they need the state of this very step. The
   * model's own steps are checked at every op by the model's property suite; any other
   * difference shows at the next full check. With `viewsCompared`, a `viewed` invariant is
   * skipped: the equal results and step views already tied impl to the model on what it reads.
   */
  stepCheck(
    step: number,
    op: Op,
    result: OpResult,
    targetBefore: CheckContext['targetBefore'],
    viewsCompared: boolean,
  ): Failure | null {
    const invariants = this.options.invariants.filter((invariant) =>
      invariant.stepOps?.includes(op.kind) && !(viewsCompared && invariant.viewed === true),
    );
    if (invariants.length === 0) return null;
    let snapshot: Snapshot;
    try {
      snapshot = this.impl.snapshot();
    } catch (error) {
      return crash(this.impl.name, step, error);
    }
    const context = { world: this.world, step, op, result, targetBefore };
    const violations = checkInvariants(snapshot, context, this.impl.name, invariants);
    return violations.length === 0 ? null : violationFailure(step, violations);
  }

  /**
   * A result disagreement, told the most useful way: when an invariant fires on impl's state
   * and not on the model's (or taking a snapshot crashes), that names the broken rule, so it is
   * the failure and the result difference a detail; otherwise the disagreement itself.
   */
  explainDisagreement(
    step: number,
    op: Op,
    result: OpResult,
    targetBefore: CheckContext['targetBefore'],
    explanation: string,
  ): Failure {
    const checked = this.fullCheck(step, op, result, targetBefore);
    const implBroken =
      checked !== null &&
      ((checked.kind === 'violation' && checked.side === this.impl.name) ||
        checked.kind === 'crash');
    if (checked !== null && implBroken) {
      return { ...checked, details: [explanation, ...checked.details] };
    }
    return disagreement(
      step,
      explanation,
      checked?.kind === 'disagreement' ? [checked.explanation, ...checked.details] : [],
    );
  }

  /** Ends the run with a full check of the final state. */
  finish(): Failure | null {
    if (this.#sinceFullCheck === 0) return null;
    return this.fullCheck(this.results.length - 1, null, null, null);
  }
}

function crash(side: string, step: number, error: unknown): Failure {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return {
    kind: 'crash',
    invariant: 'model-impl-agree',
    side,
    step,
    explanation: `${side} threw ${message}`,
    pfns: [],
    details: [],
  };
}

function violationFailure(step: number, violations: readonly Violation[]): Failure {
  const [first, ...rest] = violations;
  return {
    kind: 'violation',
    invariant: first.id,
    side: first.side,
    step,
    explanation: first.explanation,
    pfns: first.pfns,
    details: rest.map((v) => `${v.side} ${v.id}: ${v.explanation}`),
  };
}

function disagreement(step: number, explanation: string, details: string[]): Failure {
  return {
    kind: 'disagreement',
    invariant: 'model-impl-agree',
    side: 'both',
    step,
    explanation,
    pfns: [],
    details,
  };
}

function runOnce(
  world: World,
  ops: readonly Op[],
  implementations: Implementations,
  options: RunOptions,
): RunOutcome {
  const run = new DifferentialRun(world, implementations.model(), implementations.impl(), options);
  let failure = run.boot();
  for (let i = 0; failure === null && i < ops.length; i++) failure = run.step(ops[i]);
  if (failure === null) failure = run.finish();
  return { boot: run.bootReport ?? emptyBootReport(), results: run.results, failure, run };
}

function emptyBootReport(): BootReport {
  return { messages: [], declarations: [], defaultArea: null, deviceAreas: [] };
}

/**
 * Runs a whole trace. With fullCheckEvery > 1 a failure is localized by a second run over the
 * prefix with a full check after every step.
 */
export function runTrace(
  world: World,
  ops: readonly Op[],
  implementations: Implementations,
  options: RunOptions = DEFAULT_RUN_OPTIONS,
): RunOutcome {
  const first = runOnce(world, ops, implementations, options);
  if (first.failure === null || options.fullCheckEvery === 1 || first.failure.kind === 'crash')
    return first;
  const prefix = ops.slice(0, first.failure.step + 1);
  const exact = runOnce(world, prefix, implementations, { ...options, fullCheckEvery: 1 });
  return exact.failure === null ? first : exact;
}
