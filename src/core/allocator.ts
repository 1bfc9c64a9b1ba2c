/**
 * The one interface the harness sees (DESIGN.md "Architecture", STYLE G7): boot a world, apply
 * an op, export a snapshot. Model, impl, zoo mutants and any future port implement it; the
 * harness never reaches past it.
 */
import type { Op } from './op.ts';
import type { ResultCode } from './result.ts';
import type { Snapshot } from './snapshot.ts';
import type { Pfn, World } from './world.ts';

export type { OpResult } from './result.ts';

export type CmaSource = 'dt' | 'explicit' | 'cmdline' | 'kconfig';

/** One CMA reservation attempt at boot, successful or not. */
export interface Declaration {
  source: CmaSource;
  name: string;
  ok: boolean;
  /** Registered area index when ok. */
  area: number | null;
  errno: string | null;
}

export interface BootReport {
  /** Kernel log lines (pr_info / pr_err / pr_warn text) in the order the kernel prints them. */
  messages: string[];
  declarations: Declaration[];
  /** dma_contiguous_default_area as an area index, or null. */
  defaultArea: number | null;
  /** dev->cma_area per world device (null: the default area is used). */
  deviceAreas: (number | null)[];
}

/** Counters of behaviours reached (names: src/campaign/behaviours.ts); `max.*` are maxima. */
export type Behaviours = Record<string, number>;

export interface Allocator {
  readonly name: string;
  boot(world: World): BootReport;
  /**
   * Applies one op. `step` is the op's index in the trace: a new allocation takes it as its
   * handle, a `write` stores token step + 1. The harness guarantees that `op` was validated
   * against the world and that a `target` names a live allocation of an accepted kind.
   * Returns the result as a code (src/core/result.ts: decodeResult() gives the OpResult), so
   * that applying an op allocates nothing the caller did not ask for.
   */
  apply(op: Op, step: number): ResultCode;
  snapshot(): Snapshot;
  behaviours(): Behaviours;
  /**
   * Optional: writes the step view (src/core/stepView.ts) for the allocation with handle
   * `allocationId` into `into` (cleared first) and returns it — the cheap per-op comparison
   * between full checks. It must equal stepViewOfSnapshot(snapshot(), allocationId); an
   * implementation without it is compared at full checks only.
   */
  stepView?(allocationId: number, into: number[]): number[];
}
