/**
 * Property (differential probe): in any state reached by allocations, frees, pins and CMA
 * allocations, calling the kernel's contiguous-range entry points directly — alloc_contig_range()
 * with MIGRATE_MOVABLE (gigantic hugepages) or MIGRATE_CMA (cma_alloc) over ranges of one zone
 * whose edges cut free buddies and THPs, then free_contig_range(); memory offlining's
 * start_isolate_page_range() + test_pages_isolated() + undo_isolate_page_range(); and
 * has_unmovable_pages() of every pageblock — gives the same return value on the model and on
 * impl and leaves equal full snapshots after every call, with every invariant holding once the
 * state is between operations again. Both profiles: K4_9 (mm/page_alloc.c, mm/page_isolation.c
 * v4.9) and K6_1 (v6.1, with isolate_single_pageblock() and the "already isolated" check).
 * contigProbe.ts says which calls are legal for the kernel and why.
 *
 * Why: the mutation run (reports/mutation/mutation.json) left 211 survivors in
 * impl/isolation.ts, 122 in model/isolation.ts, 45/29 in model/impl contig.ts and 14/6 in
 * migrate.ts, many of them NoCoverage, because alloc_contig_range() was only ever entered
 * through cma_alloc() over CMA pageblocks: has_unmovable_pages() of UNMOVABLE/RECLAIMABLE
 * blocks, the undo when a later block refuses isolation, K6_1's edge handling (split_free_page,
 * a THP migrated off the edge, the undo on failure) and the -EBUSY return values themselves
 * (only `!== 0` was ever read) never ran or were never compared. Each `it` is one profile and
 * one entry point, so Stryker (perTest coverage) runs for a mutant only the probes that reach it.
 *
 * Every run must reach the paths listed per test (fast-check draws could otherwise drift away
 * from them silently): results of each kind, and the model's countBehaviour() names.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Profile } from '../../src/core/world.ts';
import { type ProbeCall, type Reached, probeCaseArbitrary, runProbeCase } from './contigProbe.ts';

const SEED = 20161211; // Linux 4.9's release date
const OPS_MAX = 60;
const CALLS_MAX = 8;

/** Runs, and the names that must have been reached, per profile and entry point. */
const PLAN: Record<Profile, Record<ProbeCall['kind'], { runs: number; reached: string[] }>> = {
  K4_9: {
    contig: {
      runs: 40,
      reached: [
        'contig.movable.ok',
        'contig.movable.-16',
        'contig.cma.ok',
        'contig.cma.-16',
        'contig.ok.unaligned',
        'contig.pfnsBusy',
        'migrate.pages',
        'migrate.noTarget',
        'isolate.undoMerge',
        'isolate.unmovable',
      ],
    },
    isolate: {
      runs: 40,
      reached: [
        'isolate.ok',
        'isolate.-16',
        'isolate.partialUndo',
        'test.isolated.ok',
        'test.isolated.-16',
        'test.notIsolated.-16',
        'isolate.undoMerge',
      ],
    },
    unmovable: {
      runs: 25,
      reached: ['unmovable.other.true', 'unmovable.other.false', 'unmovable.movableOrCma.false'],
    },
  },
  K6_1: {
    contig: {
      runs: 40,
      reached: [
        'contig.movable.ok',
        'contig.movable.-16',
        'contig.cma.ok',
        'contig.cma.-16',
        'contig.ok.unaligned',
        'contig.pfnsBusy',
        'migrate.pages',
        'migrate.noTarget',
        'isolate.undoMerge',
        'isolate.unmovable',
        'isolate.splitFreePage',
        'isolate.migrateStraddler',
      ],
    },
    isolate: {
      runs: 40,
      reached: [
        'isolate.ok',
        'isolate.-16',
        'isolate.partialUndo',
        'test.isolated.ok',
        'test.isolated.-16',
        'test.notIsolated.-16',
        'isolate.concurrent.-16',
        'isolate.alreadyIsolated',
        'isolate.splitFreePage',
        'undo.unaligned',
      ],
    },
    unmovable: {
      runs: 25,
      reached: [
        'unmovable.other.true',
        'unmovable.other.false',
        'unmovable.movableOrCma.false',
        'unmovable.movableOrCma.true',
      ],
    },
  },
};

for (const profile of ['K4_9', 'K6_1'] as const) {
  describe(`contiguous-range entry points agree under ${profile} (seed ${SEED})`, () => {
    for (const kind of ['contig', 'isolate', 'unmovable'] as const) {
      const { runs, reached: names } = PLAN[profile][kind];
      it(`${kind}: equal results and snapshots after every call (${runs} runs)`, () => {
        const reached: Reached = new Map();
        fc.assert(
          fc.property(probeCaseArbitrary(profile, kind, OPS_MAX, CALLS_MAX), (probe) => {
            runProbeCase(probe, reached);
          }),
          { seed: SEED, numRuns: runs },
        );
        for (const name of names) expect(reached.get(name) ?? 0, name).toBeGreaterThan(0);
      });
    }
  });
}
