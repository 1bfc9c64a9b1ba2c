/**
 * impl/core.ts — BuddyCore: the whole kernel state impl simulates (one node: its zones' free
 * lists and counters, the pageblock bits, the struct pages of in-use memory, cma_areas[]) with
 * every kernel step that changes it as a method, so that a bug-zoo mutant is a subclass that
 * overrides one method (impl/allocator.ts's header shows how).
 *
 * The methods are defined one kernel concept per file, as a chain of layers, each extending
 * the one before (STYLE G1: impl/ and model/ share file names):
 *
 *   impl/buddy.ts      BuddyLayer      lists, nr_free, vmstat, __rmqueue_smallest, expand,
 *                                      __free_one_page (merge decision, head/tail placement)
 *   impl/fallback.ts   FallbackLayer   __rmqueue_fallback, steal/claim, move_freepages_block
 *   impl/isolation.ts  IsolationLayer  set/unset_migratetype_isolate, __isolate_free_page ...
 *   impl/migrate.ts    MigrateLayer    migration of movable allocations out of a range
 *   impl/contig.ts     ContigLayer     alloc_contig_range, free_contig_range
 *   impl/cma.ts        CmaLayer        cma_alloc, cma_release, bitmap helpers, activation
 *   impl/core.ts       BuddyCore       the concrete class; state copy for the explorer
 *
 * A layer calls every other step through `this`, so an override anywhere is seen everywhere.
 * This file adds saveState()/restoreState(): a copy of every mutable array, for the bounded
 * explorer (restore + apply gives exactly what apply would have given).
 */
import { assert } from '../src/core/assert.ts';
import type { CmaAreaState } from '../src/core/snapshot.ts';
import type { TableState } from './allocations.ts';
import { CmaLayer } from './cma.ts';

/** A copy of a BuddyCore's mutable state (BuddyCore.saveState()). */
export interface CoreState {
  /** The core's arena (next, prev, freeOrder, blockInfo, counters, stats), a view of one
   *  buffer that also holds the table's arrays (table.segments). */
  readonly arena: Uint8Array;
  readonly splitDepths: number;
  readonly mergeDepths: number;
  readonly table: TableState;
  readonly areas: readonly AreaState[];
}

/** What of a CMA area changes after registration: activation and the bitmap. */
interface AreaState {
  readonly count: number;
  readonly state: CmaAreaState;
  readonly bitmap: Uint32Array;
}

export class BuddyCore extends CmaLayer {
  /**
   * A copy of everything a later op can change or read: the core's one ArrayBuffer, the
   * allocation table, the areas' activation and bitmaps.
   * `lastSourceList` is left out: it is written before every read. Geometry, zone spans and
   * list bases never change after construction.
   */
  saveState(): CoreState {
    const arenaLength = this.stateBytes.byteLength;
    const bytes = new Uint8Array(arenaLength + this.table.savedByteLength());
    const arena = bytes.subarray(0, arenaLength);
    arena.set(this.stateBytes);
    return {
      arena,
      table: this.table.saveInto(bytes, arenaLength),
      splitDepths: this.splitDepths,
      mergeDepths: this.mergeDepths,
      areas: this.areas.map((area) => ({
        count: area.count, state: area.state, bitmap: area.bitmap.slice(),
      })),
    };
  }

  /**
   * Puts back a copy taken by saveState() on this core or on another core of the same world;
   * the state stays reusable (it is copied in, never shared).
   */
  restoreState(state: CoreState): void {
    const sameWorld = state.arena.byteLength === this.stateBytes.byteLength
      && state.areas.length === this.areas.length;
    assert(sameWorld, 'BuddyCore.restoreState: the state was saved from a core of another world');
    this.stateBytes.set(state.arena);
    this.table.restoreFrom(state.table);
    this.splitDepths = state.splitDepths;
    this.mergeDepths = state.mergeDepths;
    state.areas.forEach((saved, index) => {
      const area = this.areas[index];
      area.count = saved.count;
      area.state = saved.state;
      // Bitmaps change size only at activation, so the live one is nearly always reusable.
      if (area.bitmap.length === saved.bitmap.length) area.bitmap.set(saved.bitmap);
      else area.bitmap = saved.bitmap.slice();
    });
  }
}
