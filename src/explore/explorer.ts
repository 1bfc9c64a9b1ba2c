/**
 * The bounded exhaustive explorer (`cmacheck explore`, DESIGN.md checking mode 4): breadth-first
 * search over every op sequence on a small world, with the campaign's own model, impl (or zoo
 * mutant), ops and invariants — no second specification. BFS order makes the first violation
 * found one of the shortest; it is then replayed by the campaign's differential runner
 * (src/harness/runner.ts), which gives the failure, the results and the story exactly as a
 * campaign would.
 *
 * A state is the pair (model, impl) after some ops. It is identified by the canonical
 * fingerprint of its snapshot (src/explore/canonical.ts), read straight from impl's arrays
 * (src/explore/digest.ts: the very hash the snapshot would give). Per state the explorer keeps
 * the fingerprint (FingerprintSet) and two small integers (StateTree), never the state itself:
 * a state is rebuilt when its turn to be expanded comes, by restoring its parent and applying
 * one op. Expanding a level in order visits the parents in order too, so one saved state per
 * depth (the `slots`, a path from the initial state) is all it holds; rebuilding costs about
 * one extra transition per expanded state.
 *
 * Where the checks run, and why this is as strong as comparing snapshots on every transition:
 * - every transition: both results compared (a `check` op's result is its whole point), and
 *   both sides' digests — the canonical fingerprint plus a naming hash of what it leaves out
 *   (handles, data tokens, raw pin fields) — each computed from that side's own state after
 *   the op. Equal digests mean equal snapshots in every field an op can change, up to a 64-bit
 *   collision (the fields left out are fixed at boot; see below). Nothing is recorded per state
 *   for this, and nothing is assumed of the model but what is computed from it on this very
 *   edge: an impl that diverges on an edge into a state already seen is caught on that edge,
 *   so the shortest trace is not lost.
 * - every new state (its discovering edge): both full snapshots, compared exactly
 *   (snapshotsEqual: also the boot-time fields no hash reads), then every invariant, once, on
 *   the model's snapshot. Invariants are pure functions of (snapshot, context); the snapshots
 *   are equal, so impl's findings would be the same ones. A state seen before has been
 *   checked: its snapshot equals, outside handles and data tokens (which no state invariant
 *   reads beyond written/intact, both in the fingerprint), the one checked then.
 * - every edge whose op an edge invariant reads (its `stepOps`: cma-release-returns after
 *   cmaRelease and dmaFree, cma-alloc-aligned after cmaAlloc and dmaAlloc) and succeeded, new
 *   state or not: those invariants read the op, its result and the target, so they are
 *   properties of the edge, not of the state; the model's snapshot is built for them. (Before,
 *   only cma-release-returns ran on edges into seen states.)
 * With `sides: 'impl'` there is no model: impl's results and state are only checked by the
 * invariants, on impl's snapshot (the campaign's "alone": what a mutant shows by itself).
 *
 * Sharding (`--shard i/n`) is by prefix and needs no communication: every shard walks the same
 * first levels, the first level with SPLIT_STATES_PER_SHARD states per shard is dealt out (state
 * j to shard j mod n), and each shard expands below its own states with its own visited set. The
 * union of the shards' states is the whole run's; a state below two prefixes is visited by both,
 * so a depth-bounded run splits well (3 shards: each ~45% of the work on the default world to
 * depth 4) and an exhausted space where ops undo each other hardly splits at all.
 *
 * Cost (bench/explore.ts prints the breakdown): a transition is restore, apply and digest on
 * both sides, about 5 µs on a 16-page world, two thirds of it the model's restore and apply
 * (which no check can skip: every edge's result must be the model's); a new state adds two
 * snapshots, their comparison and every invariant (about 10 µs), and an expanded one two
 * saveState() calls and its alphabet. The digests replaced two snapshots, a snapshotsEqual and a
 * snapshot hash per transition (about 20% more distinct states per CPU second than that on the
 * default world to depth 5, 30% on explore-tiny exhausted).
 *
 * Not covered: states beyond the bounds (the summary then says `bounded`, never a pass, STYLE
 * G14); ops outside the alphabet (src/explore/alphabet.ts); two states with equal fingerprints
 * (the summary prints TLC's optimistic collision probability); two unequal states whose
 * digests collide on an edge into a seen state (about 2^-64 per such edge).
 */
import type { Allocator, Behaviours, OpResult } from '../core/allocator.ts';
import { assert } from '../core/assert.ts';
import type { Op, OpKind } from '../core/op.ts';
import { type ResultCode, decodeResult, isOk, isResultCode } from '../core/result.ts';
import type { AllocationSnapshot, Snapshot } from '../core/snapshot.ts';
import type { CheckContext, Invariant } from '../core/violation.ts';
import type { World } from '../core/world.ts';
import { INVARIANTS, checkInvariants } from '../invariants/index.ts';
import { snapshotsEqual } from '../harness/diff.ts';
import type { Implementations } from '../harness/runner.ts';
import {
  type AlphabetOptions,
  FULL_ALPHABET,
  alphabetBound,
  enabledOps,
  fixedOps,
} from './alphabet.ts';
import { type Digest, type Digester, digesterFor, newDigest, sameDigest } from './digest.ts';
import { FingerprintSet, collisionProbability } from './fingerprintSet.ts';
import { type ForkMode, SideFork } from './fork.ts';
import { AncestorCursor, StateTree } from './stateTree.ts';

/** The invariants that read the op of the step (their `stepOps`), not only the state. */
export const EDGE_INVARIANTS: readonly Invariant[] = INVARIANTS.filter(
  (invariant) => invariant.stepOps !== undefined,
);
/** Per op kind, the edge invariants that read it (none for most kinds). */
const EDGE_INVARIANTS_BY_KIND = new Map<OpKind, readonly Invariant[]>();
for (const invariant of EDGE_INVARIANTS) {
  for (const kind of invariant.stepOps ?? []) {
    EDGE_INVARIANTS_BY_KIND.set(kind, [...(EDGE_INVARIANTS_BY_KIND.get(kind) ?? []), invariant]);
  }
}
/** With a sharded run, the first level with this many states per shard is split. */
export const SPLIT_STATES_PER_SHARD = 4;
/** How often (ms) onProgress is called. */
const PROGRESS_EVERY_MS = 200;

/**
 * 'both': model and impl side by side (the default, every check). 'impl': impl alone, checked
 * by the invariants only (what a zoo mutant shows by itself; the bench's second line).
 */
export type ExploreSides = 'both' | 'impl';

export interface ExploreOptions {
  world: World;
  implementations: Implementations;
  /** Which sides run (default 'both'). */
  sides?: ExploreSides;
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
  /** How each side was forked ('none': the side did not run, sides 'impl'). */
  forkModes: { model: ForkMode | 'none'; impl: ForkMode };
  split: { depth: number; levelSize: number; owned: number } | null;
  elapsedMs: number;
  fingerprints: FingerprintSet;
  /**
   * The behaviour counters over every op applied (its saveState() does not restore them) of the
   * model (impl's with sides 'impl'): what the exploration reached, as the campaign reports it.
   */
  behaviours: Behaviours;
}

/** One state of the current path from the initial state, saved on every side. */
interface Slot {
  state: number;
  /** The op that led here from the slot above (null for the initial state). */
  op: Op | null;
  /** The checked side's snapshot (the model's; impl's with sides 'impl'). */
  snapshot: Snapshot;
  alphabet: Op[];
  saved: object[];
}

/** One running side: its fork, its digester once booted, and its last digest. */
interface Side {
  fork: SideFork;
  digester: Digester | null;
  digest: Digest;
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

function newSide(allocator: Allocator, world: World): Side {
  return { fork: new SideFork(allocator, world), digester: null, digest: newDigest() };
}

class Explorer {
  readonly #options: ExploreOptions;
  /** The model, or null with sides 'impl'. */
  readonly #model: Side | null;
  readonly #impl: Side;
  /** Every running side, model first: what is booted, saved and restored. */
  readonly #sides: Side[];
  /** The side whose snapshot the invariants and the alphabet read. */
  readonly #checked: Side;
  readonly #started: number;
  readonly #alphabet: AlphabetOptions;
  #fixed: Op[] = [];
  #tree: StateTree | null = null;
  readonly #seen = new FingerprintSet();
  readonly #slots: Slot[] = [];
  #cursors: AncestorCursor[] = [];
  /** The BFS index of the state every side holds right now; -1 after a transition. */
  #live = -1;
  #generated = 1;
  #expanded = 0;
  #unowned = 0;
  #stop: StopReason = 'exhausted';
  #violationOps: Op[] | null = null;
  #split: ExploreResult['split'] = null;
  #lastProgress = 0;

  constructor(options: ExploreOptions) {
    this.#options = options;
    const { implementations, world } = options;
    this.#model =
      (options.sides ?? 'both') === 'both' ? newSide(implementations.model(), world) : null;
    this.#impl = newSide(implementations.impl(), world);
    this.#sides = this.#model === null ? [this.#impl] : [this.#model, this.#impl];
    this.#checked = this.#model ?? this.#impl;
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

  /** Boots every side and checks the initial state as the runner's boot() does. */
  #boot(): Outcome {
    const { world } = this.#options;
    let reports: string[];
    try {
      reports = this.#sides.map((side) => JSON.stringify(side.fork.allocator.boot(world)));
    } catch {
      return this.#violation([]);
    }
    const snapshot = this.#agreedSnapshot();
    if (snapshot === null) return this.#violation([]);
    for (const side of this.#sides) side.digester = digesterFor(side.fork.allocator, snapshot);
    if (!this.#digestsAgree()) return this.#violation([]);
    this.#fixed = fixedOps(world, snapshot, this.#alphabet);
    this.#tree = new StateTree(alphabetBound(world, this.#fixed));
    const { canonical } = this.#impl.digest;
    this.#seen.add(canonical.high, canonical.low);
    this.#tree.push(0);
    this.#tree.closeLevel();
    const context = this.#context(-1, null, null, null);
    const violations = checkInvariants(snapshot, context, this.#checkedName, INVARIANTS);
    if (reports.some((report) => report !== reports[0]) || violations.length > 0)
      return this.#violation([]);
    this.#slots[0] = this.#slot(0, null, snapshot);
    this.#live = 0;
    return this.#reachedStatesMax() ? 'stop' : 'continue';
  }

  get #checkedName(): string {
    return this.#model === null ? this.#impl.fork.allocator.name : 'model';
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
    const results = this.#sides.map((side) => side.fork.apply(op, depth - 1));
    assert(
      results.every((result) => result === results[0]),
      `explore: replaying state ${state} gave different results` +
        ' from when it was found: an implementation is not deterministic or does not restore',
    );
    this.#slots[depth] = this.#slot(state, op, this.#checked.fork.allocator.snapshot());
    this.#slots.length = depth + 1;
    this.#live = state;
  }

  #slot(state: number, op: Op | null, snapshot: Snapshot): Slot {
    return {
      state,
      op,
      snapshot,
      alphabet: enabledOps(this.#fixed, snapshot, this.#alphabet),
      saved: this.#sides.map((side) => side.fork.save()),
    };
  }

  #restore(slot: Slot): void {
    if (this.#live === slot.state) return;
    const sides = this.#sides;
    for (let i = 0; i < sides.length; i++) sides[i].fork.restore(slot.saved[i]);
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

  /** Applies op `opIndex` to every side and checks the edge and, if it is new, the state. */
  #transition(slot: Slot, opIndex: number, depth: number): Outcome {
    const op = slot.alphabet[opIndex];
    this.#generated++;
    const result = this.#applyAgreed(op, depth);
    if (result === null || !this.#digestsAgree()) return this.#violationAt(depth, op);
    const { canonical } = this.#impl.digest;
    const isNew = this.#seen.add(canonical.high, canonical.low);
    // An edge invariant judges what a successful op did: after a failed one it has nothing to
    // check (properties/explore/checks.spec.ts), so no snapshot is built for it.
    const edgeInvariants = isOk(result) ? EDGE_INVARIANTS_BY_KIND.get(op.kind) : undefined;
    if (isNew || edgeInvariants !== undefined) {
      const snapshot = isNew ? this.#agreedSnapshot() : this.#checkedSnapshot();
      if (snapshot === null) return this.#violationAt(depth, op);
      const context = this.#context(depth, op, decodeResult(result), targetOf(slot.snapshot, op));
      const invariants = isNew ? INVARIANTS : (edgeInvariants ?? []);
      if (checkInvariants(snapshot, context, this.#checkedName, invariants).length > 0)
        return this.#violationAt(depth, op);
    }
    if (!isNew) return 'continue';
    const tree = this.#treeOrFail;
    tree.push(opIndex);
    tree.addChild(slot.state);
    return this.#reachedStatesMax() ? 'stop' : 'continue';
  }

  /**
   * Applies `op` on every side: the checked side's result code if all agree (none threw) and
   * it is a code; else null. It is decoded only where a check reads it.
   */
  #applyAgreed(op: Op, depth: number): ResultCode | null {
    try {
      const actual = this.#impl.fork.apply(op, depth);
      const expected = this.#model === null ? actual : this.#model.fork.apply(op, depth);
      // Codes are equal exactly when the results are (src/core/result.ts).
      return expected === actual && isResultCode(actual) ? actual : null;
    } catch {
      return null;
    }
  }

  /** Digests every side into its `digest`: true if they are equal (and none threw). */
  #digestsAgree(): boolean {
    try {
      const compared = this.#model !== null;
      for (const side of this.#sides) {
        side.digester?.digest(side.digest, side === this.#impl, compared);
      }
    } catch {
      return false;
    }
    return this.#model === null || sameDigest(this.#model.digest, this.#impl.digest);
  }

  /**
   * The checked side's snapshot if every side's is equal to it field by field (and none
   * threw); else null.
   */
  #agreedSnapshot(): Snapshot | null {
    const expected = this.#checkedSnapshot();
    if (expected === null || this.#model === null) return expected;
    try {
      return snapshotsEqual(expected, this.#impl.fork.allocator.snapshot()) ? expected : null;
    } catch {
      return null;
    }
  }

  #checkedSnapshot(): Snapshot | null {
    try {
      return this.#checked.fork.allocator.snapshot();
    } catch {
      return null;
    }
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

  #violationAt(depth: number, op: Op): Outcome {
    return this.#violation([...this.#pathTo(depth), op]);
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
      forkModes: { model: this.#model?.fork.mode ?? 'none', impl: this.#impl.fork.mode },
      split: this.#split,
      elapsedMs: this.#options.clock() - this.#started,
      fingerprints: this.#seen,
      behaviours: this.#tree === null ? {} : this.#checked.fork.allocator.behaviours(),
    };
  }
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
