/**
 * The explorer has teeth (STYLE G16): on every bug-zoo mutant of zoo/mutants.ts it finds a
 * violation, and its trace is no longer than the one the campaign finds and shrinks on the same
 * world — BFS returns a shortest trace, shrinking only a short one. Each found trace replays
 * from the corpus failing as recorded, with found.by = 'explore'.
 *
 * Two worlds per mutant: explore-small (with a CMA area, where CMA activation already frees
 * pages) and the same memory without CMA (where only the op paths can show a bug). A mutant
 * the campaign cannot find on either world fails here: give it a world that shows it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CAMPAIGN_OPTIONS, runCampaign } from '../../src/campaign/campaign.ts';
import type { World } from '../../src/core/world.ts';
import { parseWorld } from '../../src/core/worldParse.ts';
import { confirmCounterexample, saveCounterexample } from '../../src/explore/counterexample.ts';
import { readTrace, replayTrace } from '../../src/harness/corpus.ts';
import { implementationsFor } from '../../src/harness/registry.ts';
import { loadZoo } from '../../zoo/index.ts';
import { MUTANTS } from '../../zoo/mutants.ts';
import { runExplore, worldFile } from './support.ts';

loadZoo();
const corpusDir = mkdtempSync(join(tmpdir(), 'cmacheck-explore-'));
afterAll(() => rmSync(corpusDir, { recursive: true, force: true }));

const worlds: World[] = [
  worldFile('explore-small'),
  parseWorld({
    name: 'explore-small-no-cma',
    pages: 16,
    maxOrder: 2,
    pageblockOrder: 2,
    mobilityGroupingDisabled: false,
  }),
];

/** The shortest trace the campaign finds and shrinks on `world` (10 runs of ≤ 200 ops). */
function campaignShortest(world: World, against: string): number {
  const implementations = implementationsFor(against);
  if (implementations === null) throw new Error(`${against} is not registered`);
  const result = runCampaign(
    {
      ...DEFAULT_CAMPAIGN_OPTIONS,
      seed: 6,
      runs: 10,
      timeMs: null,
      world,
      corpusDir: null,
      opsPerRunMax: 200,
      against,
      shouldStop: () => false,
    },
    implementations,
    () => 0,
  );
  expect(
    result.failures.length,
    `the campaign finds no failure of ${against} on ${world.name}`,
  ).toBeGreaterThan(0);
  return Math.min(...result.failures.map((found) => found.trace.ops.length));
}

describe('the explorer finds every zoo mutant with a trace no longer than the campaign', () => {
  for (const mutant of MUTANTS) {
    const against = `zoo:${mutant.name}`;
    for (const world of worlds) {
      it(`${against} on ${world.name}`, () => {
        const implementations = implementationsFor(against);
        if (implementations === null) throw new Error(`${against} is not registered`);
        const shrunk = campaignShortest(world, against);
        const result = runExplore(world, { implementations, depthMax: shrunk, statesMax: 200_000 });
        expect(result.stop, `explorer on ${against}`).toBe('violation');
        const ops = result.violationOps ?? [];
        expect(ops.length).toBeLessThanOrEqual(shrunk);
        const counterexample = confirmCounterexample(world, ops, against, implementations);
        const { path } = saveCounterexample(corpusDir, counterexample);
        const trace = readTrace(path);
        expect(trace.found?.by).toBe('explore');
        expect(trace.expect).toBe('fail');
        expect(replayTrace(path, trace).status).toBe('pass');
      });
    }
  }
});

describe('the shortest counterexample is pinned (STYLE G14)', () => {
  it('wrong-free-list without CMA: an UNMOVABLE page freed onto the MOVABLE list, 2 ops', () => {
    const against = 'zoo:wrong-free-list';
    const implementations = implementationsFor(against);
    if (implementations === null) throw new Error(`${against} is not registered`);
    const world = worlds[1];
    // Boot: 16 pages, four MOVABLE pageblocks of 4, each one free order-2 block on the MOVABLE
    // list, pfn 12 at its head (the last freed).
    const result = runExplore(world, { implementations, depthMax: 4 });
    expect(result.violationOps).toEqual([
      // The UNMOVABLE request falls back to MOVABLE, takes the order-2 block at pfn 12 and
      // claims its pageblock (now UNMOVABLE); pfn 13 (order 0) and 14 (order 1) go on the
      // UNMOVABLE lists, pfn 12 is allocated.
      { kind: 'alloc', order: 0, migratetype: 'UNMOVABLE' },
      // Freed into an UNMOVABLE pageblock: the model merges it back to the order-2 block 12 on
      // the UNMOVABLE list; the mutant puts that block on the MOVABLE list.
      { kind: 'free', target: 0 },
    ]);
    // No 1-op trace fails: all 9 one-op states (and the boot state) were checked first.
    expect(result.levelSizes.slice(0, 2)).toEqual([1, 9]);
    const { trace } = confirmCounterexample(
      world,
      result.violationOps ?? [],
      against,
      implementations,
    );
    expect(trace.failure?.explanation).toBe(
      'zone Normal order 2 Unmovable list: expected [12] actual []',
    );
  });
});
