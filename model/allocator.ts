/**
 * The model behind the Allocator interface (STYLE G4: the one object in model/; it holds the
 * state and calls the functions, nothing else).
 *
 * saveState()/restoreState() let the bounded explorer (src/explore/) fork the model: a saved
 * state is a private copy, and restoring copies it back, so one saved state can be restored any
 * number of times. They are hand-written rather than structuredClone() because the explorer
 * restores once per transition: copying into the live arrays allocates almost nothing, about
 * 0.4 µs on a 16-page world where structuredClone() of the state takes 23 µs.
 * The behaviour counters (`stats`) are not restored: they count what the ops applied so far
 * reached, restored or not, which is what an exploration's coverage report wants; they are not
 * part of the state any op or snapshot reads.
 */
import type { Allocator, Behaviours, BootReport } from '../src/core/allocator.ts';
import { type ResultCode, encodeResult } from '../src/core/result.ts';
import { assert } from '../src/core/assert.ts';
import type { Op } from '../src/core/op.ts';
import type { CmaAreaState, Snapshot } from '../src/core/snapshot.ts';
import type { World } from '../src/core/world.ts';
import { apply } from './apply.ts';
import { bootModel } from './boot/boot.ts';
import { modelSnapshot, modelStepView } from './snapshot.ts';
import type { Allocation, CmaArea, FreeArea, ModelState, Zone } from './state.ts';

/**
 * What saveState() does with each field of ModelState, Zone, FreeArea and CmaArea: 'copied'
 * (ops change it) or 'shared' (fixed once boot returns; `stats`: see the header). The mapped
 * types make a new field a compile error here until someone decides which it is — a missed
 * field would make restoreState() silently wrong. Allocation records are copied whole ({...}).
 */
export const STATE_FIELDS: { readonly [K in keyof ModelState]: 'copied' | 'shared' } = {
  world: 'shared',
  zones: 'copied',
  pageblockMigratetype: 'copied',
  buddyOrder: 'copied',
  owner: 'copied',
  frameToken: 'copied',
  allocations: 'copied',
  cmaAreas: 'copied',
  totalcmaPages: 'copied',
  defaultArea: 'shared',
  deviceAreas: 'shared',
  bootReport: 'shared',
  stats: 'shared',
};
export const ZONE_FIELDS: { readonly [K in keyof Zone]: 'copied' | 'shared' } = {
  index: 'shared',
  name: 'shared',
  startPfn: 'shared',
  endPfn: 'shared',
  freeArea: 'copied',
  nrFreePages: 'copied',
  nrFreeCmaPages: 'copied',
  nrIsolatePageblock: 'copied',
  managedPages: 'copied',
};
export const FREE_AREA_FIELDS: { readonly [K in keyof FreeArea]: 'copied' | 'shared' } = {
  freeList: 'copied',
  nrFree: 'copied',
};
export const CMA_AREA_FIELDS: { readonly [K in keyof CmaArea]: 'copied' | 'shared' } = {
  name: 'shared',
  basePfn: 'shared',
  count: 'copied',
  declaredCount: 'shared',
  orderPerBit: 'shared',
  bitmap: 'copied',
  state: 'copied',
};

/** A private copy of the fields of a ModelState that ops change (STATE_FIELDS 'copied'). */
export interface ModelSavedState {
  readonly state: ModelState;
  /** Per zone: nrFreePages, nrFreeCmaPages, nrIsolatePageblock, managedPages. */
  readonly zoneCounters: readonly number[];
  /** Per zone, order and migratetype in that order: the list length, then its pfns. */
  readonly freeLists: readonly number[];
  readonly nrFree: readonly number[];
  // Plain arrays like the live ones: copying between arrays of one element kind is the fast
  // path in V8 (typed arrays here made restoreState 2x slower).
  readonly pageblockMigratetype: readonly number[];
  readonly buddyOrder: readonly number[];
  readonly owner: readonly number[];
  readonly frameToken: readonly number[];
  readonly allocations: readonly Allocation[];
  /** Per CMA area: count, state and bitmap (null when the area has none). */
  readonly cmaAreas: readonly { count: number; state: CmaAreaState; bitmap: boolean[] | null }[];
  readonly totalcmaPages: number;
}

export class ModelAllocator implements Allocator {
  readonly name: string = 'model';
  #state: ModelState | null = null;

  get state(): ModelState {
    assert(this.#state !== null, 'ModelAllocator: boot() first');
    return this.#state;
  }

  boot(world: World): BootReport {
    this.#state = bootModel(world);
    return this.#state.bootReport;
  }

  /** The op's result as model/apply.ts builds it, as its code (src/core/result.ts). */
  apply(op: Op, step: number): ResultCode {
    return encodeResult(apply(this.state, op, step));
  }

  snapshot(): Snapshot {
    return modelSnapshot(this.state);
  }

  behaviours(): Behaviours {
    return { ...this.state.stats };
  }

  stepView(allocationId: number, into: number[]): number[] {
    return modelStepView(this.state, allocationId, into);
  }

  /** A copy of the current state that restoreState() can bring back any number of times. */
  saveState(): ModelSavedState {
    return saveModelState(this.state);
  }

  /** Makes the state equal to the one saved (from this allocator, after the same boot). */
  restoreState(saved: ModelSavedState): void {
    assert(saved.state === this.#state, 'ModelAllocator.restoreState: saved by another boot');
    restoreModelState(saved.state, saved);
  }
}

function saveModelState(state: ModelState): ModelSavedState {
  const freeLists: number[] = [];
  const nrFree: number[] = [];
  const zoneCounters: number[] = [];
  for (const zone of state.zones) {
    zoneCounters.push(
      zone.nrFreePages,
      zone.nrFreeCmaPages,
      zone.nrIsolatePageblock,
      zone.managedPages,
    );
    for (const area of zone.freeArea) {
      nrFree.push(area.nrFree);
      for (const list of area.freeList) freeLists.push(list.length, ...list);
    }
  }
  return {
    state,
    zoneCounters,
    freeLists,
    nrFree,
    pageblockMigratetype: state.pageblockMigratetype.slice(),
    buddyOrder: state.buddyOrder.slice(),
    owner: state.owner.slice(),
    frameToken: state.frameToken.slice(),
    allocations: [...state.allocations.values()].map((allocation) => ({ ...allocation })),
    cmaAreas: state.cmaAreas.map((area) => ({
      count: area.count,
      state: area.state,
      bitmap: area.bitmap === null ? null : [...area.bitmap],
    })),
    totalcmaPages: state.totalcmaPages,
  };
}

/** Copies `from` into the live arrays (same lengths: the world fixes them at boot). */
function copyInto(to: number[], from: readonly number[]): void {
  assert(
    to.length === from.length,
    () => `restoreState: ${to.length} entries, saved ${from.length}`,
  );
  for (let i = 0; i < from.length; i++) to[i] = from[i];
}

function restoreZones(zones: Zone[], saved: ModelSavedState): void {
  let at = 0;
  let area = 0;
  zones.forEach((zone, index) => {
    zone.nrFreePages = saved.zoneCounters[4 * index];
    zone.nrFreeCmaPages = saved.zoneCounters[4 * index + 1];
    zone.nrIsolatePageblock = saved.zoneCounters[4 * index + 2];
    zone.managedPages = saved.zoneCounters[4 * index + 3];
    for (const freeArea of zone.freeArea) {
      freeArea.nrFree = saved.nrFree[area++];
      for (const list of freeArea.freeList) {
        const length = saved.freeLists[at++];
        // Most lists keep their length; resizing a JS array is the slow part of this loop.
        if (list.length !== length) list.length = length;
        for (let i = 0; i < length; i++) list[i] = saved.freeLists[at++];
      }
    }
  });
  assert(at === saved.freeLists.length, 'restoreState: free list layout changed since save');
}

function restoreModelState(state: ModelState, saved: ModelSavedState): void {
  restoreZones(state.zones, saved);
  copyInto(state.pageblockMigratetype, saved.pageblockMigratetype);
  copyInto(state.buddyOrder, saved.buddyOrder);
  copyInto(state.owner, saved.owner);
  copyInto(state.frameToken, saved.frameToken);
  state.allocations.clear();
  for (const allocation of saved.allocations) {
    state.allocations.set(allocation.id, { ...allocation });
  }
  saved.cmaAreas.forEach((area, index) => {
    const live = state.cmaAreas[index];
    live.count = area.count;
    live.state = area.state;
    if (area.bitmap === null) live.bitmap = null;
    else if (live.bitmap === null || live.bitmap.length !== area.bitmap.length) {
      live.bitmap = [...area.bitmap];
    } else {
      for (let bit = 0; bit < area.bitmap.length; bit++) live.bitmap[bit] = area.bitmap[bit];
    }
  });
  state.totalcmaPages = saved.totalcmaPages;
}
