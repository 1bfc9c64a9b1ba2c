/**
 * The explorer has teeth (STYLE G16): on every bug-zoo mutant of zoo/mutants.ts it finds a
 * violation, and its trace is no longer than the one the campaign finds and shrinks on the same
 * world — BFS returns a shortest trace, shrinking only a short one. Each found trace replays
 * from the corpus failing as recorded, with found.by = 'explore'.
 *
 * Each mutant runs on a world that can show its bug (WORLD_OF below; a new mutant gets
 * explore-small): merge-across-zones needs two zones, activate-across-zones an area across them,
 * the partial-chunk bugs order_per_bit > 0, a few list bugs show best without CMA. The campaign
 * runs on the same world with world shrinking off, so both traces are on one world; when the
 * campaign finds the mutant, the explorer's trace must be no longer. Both lengths are printed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CAMPAIGN_OPTIONS, runCampaign } from '../../src/campaign/campaign.ts';
import { PROFILES, type Profile, type World } from '../../src/core/world.ts';
import { worldToJson } from '../../src/core/worldJson.ts';
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

const noCma = parseWorld({
  name: 'explore-small-no-cma',
  pages: 16,
  maxOrder: 2,
  pageblockOrder: 2,
  mobilityGroupingDisabled: false,
});
const twoZones = {
  pages: 16,
  maxOrder: 2,
  pageblockOrder: 1,
  mobilityGroupingDisabled: false,
  zones: [
    { name: 'DMA32', startPfn: 0, endPfn: 6 },
    { name: 'Normal', startPfn: 6, endPfn: 16 },
  ],
};
const WORLDS: Record<string, World> = {
  'explore-small': worldFile('explore-small'),
  'no-cma': noCma,
  'two-zones': parseWorld({ name: 'two-zones', ...twoZones }),
  'two-zones-cma': parseWorld({
    name: 'two-zones-cma',
    ...twoZones,
    cma: [{ base: 4, size: 4, fixed: true }],
  }),
  'cma-opb1': parseWorld({
    name: 'cma-opb1',
    pages: 16,
    maxOrder: 2,
    pageblockOrder: 2,
    mobilityGroupingDisabled: false,
    cma: [{ base: 8, size: 8, orderPerBit: 1 }],
  }),
};
const WORLD_OF: Record<string, keyof typeof WORLDS> = {
  'wrong-free-list': 'no-cma',
  'rule-t-inverted': 'no-cma',
  'expand-upper-half': 'no-cma',
  'merge-across-zones': 'two-zones',
  'activate-across-zones': 'two-zones-cma',
  'cma-bits-floor': 'cma-opb1',
  'cma-release-wrong-bits': 'cma-opb1',
};
/** The shortest trace the campaign finds on `world` (10 runs of ≤ 200 ops, the world kept). */
function campaignShortest(world: World, against: string): number | null {
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
      shrinkOptions: { ...DEFAULT_CAMPAIGN_OPTIONS.shrinkOptions, keepWorld: true },
    },
    implementations,
    () => 0,
  );
  if (result.failures.length === 0) return null;
  return Math.min(...result.failures.map((found) => found.trace.ops.length));
}

const EXPLORE_DEPTH_MAX = 7;
const lengths: string[] = [];
afterAll(() => console.log(`explorer vs campaign trace lengths:\n${lengths.join('\n')}`));

/** `world` under `profile` (the world files are K4_9; each is also a legal K6_1 world). */
function underProfile(world: World, profile: Profile): World {
  if (world.profile === profile) return world;
  return parseWorld({ ...worldToJson(world), profile }, `${world.name} (${profile})`);
}

describe.each(PROFILES)('the explorer finds every zoo mutant with a trace no longer than the'
  + ' campaign (%s)', (profile) => {
  for (const mutant of MUTANTS) {
    const against = `zoo:${mutant.name}`;
    const world = underProfile(WORLDS[WORLD_OF[mutant.name] ?? 'explore-small'], profile);
    const notApplicable = mutant.notUnder?.[profile];
    if (notApplicable !== undefined) {
      // The zoo declares the rule absent under this profile (zoo/run.ts reports it n/a), so the
      // explorer must find nothing either: an exhausted or bounded search without a violation.
      it(`${against} on ${world.name}: n/a under ${profile}, and nothing is found`, () => {
        const implementations = implementationsFor(against);
        if (implementations === null) throw new Error(`${against} is not registered`);
        const result = runExplore(world, { implementations, depthMax: 5, statesMax: 50_000 });
        expect(result.stop, notApplicable).not.toBe('violation');
      });
      continue;
    }
    it(`${against} on ${world.name}`, () => {
      const implementations = implementationsFor(against);
      if (implementations === null) throw new Error(`${against} is not registered`);
      const shrunk = campaignShortest(world, against);
      const depthMax = shrunk ?? EXPLORE_DEPTH_MAX;
      const result = runExplore(world, { implementations, depthMax, statesMax: 200_000 });
      expect(result.stop, `explorer on ${against} within depth ${depthMax}`).toBe('violation');
      const ops = result.violationOps ?? [];
      if (shrunk !== null) expect(ops.length).toBeLessThanOrEqual(shrunk);
      lengths.push(
        `  ${profile} ${mutant.name.padEnd(28)} ${world.name.padEnd(14)} explorer ${ops.length}` +
          `  campaign ${shrunk ?? 'not found in 10 runs'}`,
      );
      const counterexample = confirmCounterexample(world, ops, against, implementations);
      const { path } = saveCounterexample(corpusDir, counterexample);
      const trace = readTrace(path);
      expect(trace.found?.by).toBe('explore');
      expect(trace.expect).toBe('fail');
      expect(replayTrace(path, trace).status).toBe('pass');
    });
  }
});

describe('the shortest counterexample is pinned (STYLE G14)', () => {
  it('wrong-free-list without CMA: an UNMOVABLE page freed onto the MOVABLE list, 2 ops', () => {
    const against = 'zoo:wrong-free-list';
    const implementations = implementationsFor(against);
    if (implementations === null) throw new Error(`${against} is not registered`);
    const world = noCma;
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
