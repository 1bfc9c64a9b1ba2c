/**
 * The bounded exhaustive explorer (`cmacheck explore`, DESIGN.md checking mode 4): breadth-first
 * search over every op sequence on a small world, with the campaign's own model, impl (or zoo
 * mutant), ops and invariants — no second specification. BFS order makes the first violation
 * found one of the shortest; it is then replayed by the campaign's differential runner
 * (src/harness/runner.ts), which gives the failure, the results and the story exactly as a
 * campaign would.
 *
 * A state is the pair (model, impl) after some ops. It is identified by the canonical
 * fingerprint of the model's snapshot (src/explore/canonical.ts), once the impl's snapshot has
 * been found equal to it. Per state the explorer keeps the fingerprint (FingerprintSet) and two
 * small integers (StateTree), never the state itself: a state is rebuilt when its turn to be
 * expanded comes, by restoring its parent and applying one op. Expanding a level in order visits
 * the parents in order too, so one saved state per depth (the `slots`, a path from the initial
 * state) is all it holds; rebuilding costs about one extra transition per state, against the
 * 3 to 15 its expansion costs.
 *
 * Where the checks run, and why:
 * - every transition: both results compared (a `check` op's result is its whole point), both
 *   snapshots taken and compared exactly (snapshotsEqual), the fingerprint computed. Comparing
 *   only on new states would miss an impl that diverges on an edge into a state already seen,
 *   and then the shortest trace could be lost. The two snapshot() calls (the only way through
 *   the Allocator interface to see a state) are a third of a transition's cost.
 * - every new state: every invariant, once, on the model's snapshot. Invariants are pure
 *   functions of (snapshot, context); the two snapshots are equal, so the impl's findings would
 *   be the same ones (the runner would call that side 'both'). A state seen before has been
 *   checked already: a duplicate costs no invariant.
 * - every release transition (cmaRelease, dmaFree), new state or not: cma-release-returns,
 *   the one invariant that reads the op, its result and the target's range (CheckContext), so
 *   it is a property of the edge, not of the state.
 *
 * Sharding (`--shard i/n`) is by prefix and needs no communication: every shard walks the same
 * first levels, the first level with SPLIT_STATES_PER_SHARD states per shard is dealt out (state
 * j to shard j mod n), and each shard expands below its own states with its own visited set. The
 * union of the shards' states is the whole run's; a state below two prefixes is visited by both,
 * so a depth-bounded run splits well (3 shards: each ~45% of the work on the default world to
 * depth 4) and an exhausted space where ops undo each other hardly splits at all.
 *
 * Cost (bench/explore.ts): a transition is about 10 µs on a 16-page world, nearly all of it in
 * the implementations behind the interface — restore 2, two applies 3, two snapshots 3.5 — and
 * under 1 µs here (fingerprint, table); a new state adds its invariants (3 µs) and, when it is
 * expanded, two saveState() calls (10 µs, the impl's). Distinct states/s is that over the 3 to
 * 15 transitions each state has.
 *
 * Not covered: states beyond the bounds (the summary then says `bounded`, never a pass, STYLE
 * G14); ops outside the alphabet (src/explore/alphabet.ts); two states with equal fingerprints
 * (the summary prints TLC's optimistic collision probability).
 */
import type { Behaviours, OpResult } from '../core/allocator.ts';
import { assert } from '../core/assert.ts';
import type { Op } from '../core/op.ts';
import type { AllocationSnapshot, Snapshot } from '../core/snapshot.ts';
import type { CheckContext, Invariant, InvariantId } from '../core/violation.ts';
import type { World } from '../core/world.ts';
import { INVARIANTS, checkInvariants } from '../invariants/index.ts';
import { snapshotsEqual } from '../harness/diff.ts';
import type { Implementations } from '../harness/runner.ts';
import { type Fingerprint, fingerprintSnapshot } from './canonical.ts';
import {
  type AlphabetOptions,
  FULL_ALPHABET,
  alphabetBound,
  enabledOps,
  fixedOps,
} from './alphabet.ts';
import { FingerprintSet, collisionProbability } from './fingerprintSet.ts';
import { type ForkMode, SideFork } from './fork.ts';
import { AncestorCursor, StateTree } from './stateTree.ts';

/** The invariants that read the op of the step (CheckContext.op), not only the state. */
const EDGE_INVARIANT_IDS: readonly InvariantId[] = ['cma-release-returns'];
export const EDGE_INVARIANTS: readonly Invariant[] = INVARIANTS.filter((invariant) =>
  EDGE_INVARIANT_IDS.includes(invariant.id),
);
/** With a sharded run, the first level with this many states per shard is split. */
export const SPLIT_STATES_PER_SHARD = 4;
/** How often (ms) onProgress is called. */
const PROGRESS_EVERY_MS = 200;

export interface ExploreOptions {
  world: World;
  implementations: Implementations;
  /** The op kinds and migratetypes tried (default: all). */
  alphabet?: AlphabetOptions;
  /** Deepest state explored (ops in its trace); null: no bound. */
  depthMax: number | null;
  /** Stop once this many distinct states are known; null: no bound. */
  statesMax: number | null;
  /** Stop after this long (ms, by `clock`); null: no bound. Makes counts timing-dependent. */
  timeMs: number | null;
  shard: { index: number; count: number };
  /** Monotonic ms, for the time bound and progress only (never for a decision otherwise). */
  clock: () => number;
  /** Checked between expansions: true stops the run (Ctrl-C). */
  shouldStop: () => boolean;
  onProgress?: (progress: ExploreProgress) => void;
}

export interface ExploreProgress {
  generated: number;
  distinct: number;
  queue: number;
  depth: number;
  elapsedMs: number;
}

export type StopReason = 'exhausted' | 'violation' | 'depth' | 'states' | 'time' | 'interrupted';

export interface ExploreResult {
  /** States generated: the initial one plus one per transition (TLC's "states generated"). */
  generated: number;
  distinct: number;
  /** Deepest level holding a state. */
  depth: number;
  /** Distinct states this shard would still expand. */
  queue: number;
  stop: StopReason;
  /** Every state reachable (from this shard's part) within the bounds was expanded. */
  exhausted: boolean;
  /** Distinct states per depth. */
  levelSizes: number[];
  /** The ops of the first violating path found (BFS: a shortest one), or null. */
  violationOps: Op[] | null;
  collisionProbability: number;
  /** Fingerprint table and BFS tree, in bytes, per distinct state. */
  bytesPerState: number;
  alphabetFixed: number;
  forkModes: { model: ForkMode; impl: ForkMode };
  split: { depth: number; levelSize: number; owned: number } | null;
  elapsedMs: number;
  fingerprints: FingerprintSet;
  /**
   * The model's behaviour counters over every op applied (its saveState() does not restore
   * them): what the exploration reached, as the campaign reports it.
   */
  behaviours: Behaviours;
}

/** One state of the current path from the initial state, saved on both sides. */
interface Slot {
  state: number;
  /** The op that led here from the slot above (null for the initial state). */
  op: Op | null;
  snapshot: Snapshot;
  alphabet: Op[];
  savedModel: object;
  savedImpl: object;
}

type Outcome = 'continue' | 'violation' | 'stop';

/** Explores synchronously (tests, bench): `shouldStop` can only see state set by the caller. */
export function explore(options: ExploreOptions): ExploreResult {
  const explorer = new Explorer(options);
  for (const _ of explorer.steps());
  return explorer.result();
}

/**
 * Explores and hands the event loop a turn every `yieldEveryMs`, so that a SIGINT handler (the
 * CLI's Ctrl-C) can run and make `shouldStop` true.
 */
export async function exploreAsync(
  options: ExploreOptions,
  yieldEveryMs = 50,
): Promise<ExploreResult> {
  const explorer = new Explorer(options);
  let last = options.clock();
  for (const _ of explorer.steps()) {
    if (options.clock() - last < yieldEveryMs) continue;
    await new Promise((resolve) => setImmediate(resolve));
    last = options.clock();
  }
  return explorer.result();
}

class Explorer {
  readonly #options: ExploreOptions;
  readonly #model: SideFork;
  readonly #impl: SideFork;
  readonly #started: number;
  readonly #alphabet: AlphabetOptions;
  #fixed: Op[] = [];
  #tree: StateTree | null = null;
  readonly #seen = new FingerprintSet();
  readonly #slots: Slot[] = [];
  #cursors: AncestorCursor[] = [];
  /** The BFS index of the state both allocators hold right now; -1 after a transition. */
  #live = -1;
  #generated = 1;
  #expanded = 0;
  #unowned = 0;
  #stop: StopReason = 'exhausted';
  #violationOps: Op[] | null = null;
  #split: ExploreResult['split'] = null;
  #lastProgress = 0;
  readonly #fingerprint: Fingerprint = { high: 0, low: 0 };

  constructor(options: ExploreOptions) {
    this.#options = options;
    this.#model = new SideFork(options.implementations.model(), options.world);
    this.#impl = new SideFork(options.implementations.impl(), options.world);
    this.#started = options.clock();
    this.#alphabet = options.alphabet ?? FULL_ALPHABET;
  }

  get #treeOrFail(): StateTree {
    assert(this.#tree !== null, 'Explorer: boot first');
    return this.#tree;
  }

  /** The whole exploration, one expanded state per step (callers may pause in between). */
  *steps(): Generator<void> {
    if (this.#boot() !== 'continue') return;
    for (let depth = 0; this.#stop === 'exhausted'; depth++) {
      const tree = this.#treeOrFail;
      if (tree.levelStart[depth] === tree.levelStart[depth + 1]) return;
      if (this.#options.depthMax !== null && depth >= this.#options.depthMax) {
        this.#stop = 'depth';
        return;
      }
      yield* this.#expandLevel(depth);
      tree.closeLevel();
    }
  }

  /** Boots both sides and checks the initial state as the runner's boot() does. */
  #boot(): Outcome {
    const { world } = this.#options;
    let reports: string[];
    try {
      reports = [this.#model, this.#impl].map((side) => JSON.stringify(side.allocator.boot(world)));
    } catch {
      return this.#violation([]);
    }
    const snapshot = this.#agreedSnapshot();
    if (snapshot === null) return this.#violation([]);
    this.#fixed = fixedOps(world, snapshot, this.#alphabet);
    this.#tree = new StateTree(alphabetBound(world, this.#fixed));
    this.#seen.add(this.#fingerprint.high, this.#fingerprint.low);
    this.#tree.push(0);
    this.#tree.closeLevel();
    const context = this.#context(-1, null, null, null);
    const violations = checkInvariants(snapshot, context, 'model', INVARIANTS);
    if (reports[0] !== reports[1] || violations.length > 0) return this.#violation([]);
    this.#slots[0] = this.#slot(0, null, snapshot);
    this.#live = 0;
    return this.#reachedStatesMax() ? 'stop' : 'continue';
  }

  *#expandLevel(depth: number): Generator<void> {
    const tree = this.#treeOrFail;
    const first = tree.levelStart[depth];
    const end = tree.levelStart[depth + 1];
    const { shard } = this.#options;
    if (
      this.#split === null &&
      shard.count > 1 &&
      end - first >= SPLIT_STATES_PER_SHARD * shard.count
    ) {
      const owned = Math.ceil((end - first - shard.index) / shard.count);
      this.#split = { depth, levelSize: end - first, owned };
      this.#unowned = end - first - owned;
    }
    this.#cursors = [];
    for (let d = 1; d <= depth; d++) this.#cursors[d] = new AncestorCursor(tree, d);
    for (let state = first; state < end; state++) {
      if (this.#split?.depth === depth && (state - first) % shard.count !== shard.index) continue;
      if (this.#shouldStopNow()) return;
      this.#materialize(state, depth);
      this.#expanded++;
      if (this.#expand(depth) !== 'continue') return;
      this.#progress(depth);
      yield;
    }
  }

  #shouldStopNow(): boolean {
    const { timeMs, clock, shouldStop } = this.#options;
    if (shouldStop()) this.#stop = 'interrupted';
    else if (timeMs !== null && clock() - this.#started >= timeMs) this.#stop = 'time';
    return this.#stop !== 'exhausted';
  }

  /** Makes slot `depth` hold `state`, rebuilding it (and its ancestors) from the slots above. */
  #materialize(state: number, depth: number): void {
    if (this.#slots[depth]?.state === state) {
      return;
    }
    const parent = this.#cursors[depth].seek(state);
    this.#materialize(parent, depth - 1);
    const above = this.#slots[depth - 1];
    this.#restore(above);
    const op = above.alphabet[this.#treeOrFail.opIndex(state)];
    const expected = this.#model.apply(op, depth - 1);
    const actual = this.#impl.apply(op, depth - 1);
    assert(
      sameResult(expected, actual),
      `explore: replaying state ${state} gave different results` +
        ' from when it was found: an implementation is not deterministic or does not restore',
    );
    this.#slots[depth] = this.#slot(state, op, this.#model.allocator.snapshot());
    this.#slots.length = depth + 1;
    this.#live = state;
  }

  #slot(state: number, op: Op | null, snapshot: Snapshot): Slot {
    return {
      state,
      op,
      snapshot,
      alphabet: enabledOps(this.#fixed, snapshot, this.#alphabet),
      savedModel: this.#model.save(),
      savedImpl: this.#impl.save(),
    };
  }

  #restore(slot: Slot): void {
    if (this.#live === slot.state) return;
    this.#model.restore(slot.savedModel);
    this.#impl.restore(slot.savedImpl);
    this.#live = slot.state;
  }

  /** Tries every op of the alphabet of the state in slot `depth`. */
  #expand(depth: number): Outcome {
    const slot = this.#slots[depth];
    for (let opIndex = 0; opIndex < slot.alphabet.length; opIndex++) {
      this.#restore(slot);
      this.#live = -1;
      const outcome = this.#transition(slot, opIndex, depth);
      if (outcome !== 'continue') return outcome;
    }
    return 'continue';
  }

  /** Applies op `opIndex` to both sides and checks the edge and, if it is new, the state. */
  #transition(slot: Slot, opIndex: number, depth: number): Outcome {
    const op = slot.alphabet[opIndex];
    this.#generated++;
    let expected: OpResult;
    let actual: OpResult;
    try {
      expected = this.#model.apply(op, depth);
      actual = this.#impl.apply(op, depth);
    } catch {
      return this.#violation([...this.#pathTo(depth), op]);
    }
    if (!sameResult(expected, actual)) return this.#violation([...this.#pathTo(depth), op]);
    const snapshot = this.#agreedSnapshot();
    if (snapshot === null) return this.#violation([...this.#pathTo(depth), op]);
    const isNew = this.#seen.add(this.#fingerprint.high, this.#fingerprint.low);
    const releasing = op.kind === 'cmaRelease' || op.kind === 'dmaFree';
    if (isNew || releasing) {
      const context = this.#context(depth, op, expected, targetOf(slot.snapshot, op));
      const invariants = !isNew ? EDGE_INVARIANTS : INVARIANTS;
      if (checkInvariants(snapshot, context, 'model', invariants).length > 0)
        return this.#violation([...this.#pathTo(depth), op]);
    }
    if (!isNew) return 'continue';
    const tree = this.#treeOrFail;
    tree.push(opIndex);
    tree.addChild(slot.state);
    return this.#reachedStatesMax() ? 'stop' : 'continue';
  }

  /**
   * The model's snapshot, fingerprinted into #fingerprint, if the impl's is equal to it field
   * by field (and neither side threw); else null.
   */
  #agreedSnapshot(): Snapshot | null {
    let expected: Snapshot;
    let actual: Snapshot;
    try {
      expected = this.#model.allocator.snapshot();
      actual = this.#impl.allocator.snapshot();
    } catch {
      return null;
    }
    if (!snapshotsEqual(expected, actual)) return null;
    fingerprintSnapshot(expected, this.#fingerprint);
    return expected;
  }

  #context(
    step: number,
    op: Op | null,
    result: OpResult | null,
    targetBefore: CheckContext['targetBefore'],
  ): CheckContext {
    return { world: this.#options.world, step, op, result, targetBefore };
  }

  #pathTo(depth: number): Op[] {
    const ops: Op[] = [];
    for (let d = 1; d <= depth; d++) ops.push(this.#slots[d].op as Op);
    return ops;
  }

  #violation(ops: Op[]): Outcome {
    this.#violationOps = ops;
    this.#stop = 'violation';
    return 'violation';
  }

  #reachedStatesMax(): boolean {
    const { statesMax } = this.#options;
    if (statesMax === null || this.#seen.size < statesMax) return false;
    this.#stop = 'states';
    return true;
  }

  #progress(depth: number): void {
    const { onProgress, clock } = this.#options;
    if (onProgress === undefined) return;
    const now = clock();
    if (now - this.#lastProgress < PROGRESS_EVERY_MS) return;
    this.#lastProgress = now;
    onProgress({
      generated: this.#generated,
      distinct: this.#seen.size,
      queue: this.#queue(),
      depth: depth + 1,
      elapsedMs: now - this.#started,
    });
  }

  #queue(): number {
    return this.#seen.size - this.#expanded - this.#unowned;
  }

  result(): ExploreResult {
    const tree = this.#tree;
    const levelSizes: number[] = [];
    if (tree !== null) {
      const starts = [...tree.levelStart];
      if (starts[starts.length - 1] !== tree.size) starts.push(tree.size);
      for (let d = 0; d + 1 < starts.length; d++) levelSizes.push(starts[d + 1] - starts[d]);
    }
    while (levelSizes.length > 0 && levelSizes[levelSizes.length - 1] === 0) levelSizes.pop();
    const distinct = this.#seen.size;
    return {
      generated: this.#generated,
      distinct,
      depth: Math.max(0, levelSizes.length - 1),
      queue: this.#stop === 'violation' ? 0 : this.#queue(),
      stop: this.#stop,
      exhausted: this.#stop === 'exhausted',
      levelSizes,
      violationOps: this.#violationOps,
      collisionProbability: collisionProbability(distinct, this.#generated),
      bytesPerState: ((tree?.byteLength ?? 0) + this.#seen.byteLength) / Math.max(1, distinct),
      alphabetFixed: this.#fixed.length,
      forkModes: { model: this.#model.mode, impl: this.#impl.mode },
      split: this.#split,
      elapsedMs: this.#options.clock() - this.#started,
      fingerprints: this.#seen,
      behaviours: this.#tree === null ? {} : this.#model.allocator.behaviours(),
    };
  }
}

function sameResult(a: OpResult, b: OpResult): boolean {
  return a.ok === b.ok && a.pfn === b.pfn && a.reason === b.reason;
}

/** The target's range before the op, as the runner's LiveSet knows it (CheckContext). */
function targetOf(snapshot: Snapshot, op: Op): CheckContext['targetBefore'] {
  if (!('target' in op)) return null;
  const target: AllocationSnapshot | undefined = snapshot.allocations.find(
    (a) => a.id === op.target,
  );
  if (target === undefined) return null;
  return { id: target.id, kind: target.kind, pfn: target.pfn, pageCount: target.pageCount };
}
