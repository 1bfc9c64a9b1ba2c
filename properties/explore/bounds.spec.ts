/**
 * Bounds are never a pass (STYLE G14, anti-pattern 6), and the explorer is deterministic: the
 * same world and bounds give the same counts, levels and fingerprints, whatever the timing.
 */
import { describe, expect, it } from 'vitest';
import { exploreSummary } from '../../src/explore/summary.ts';
import { FULL_ALPHABET } from '../../src/explore/alphabet.ts';
import { fingerprintsOf, microWorld, movableAllocator, runExplore, worldFile } from './support.ts';

const world = worldFile('explore-small');
const settings = {
  world,
  depthMax: 2,
  statesMax: null,
  timeMs: null,
  shard: { index: 0, count: 1 },
  against: 'impl',
  alphabet: FULL_ALPHABET,
};

describe('a bounded run says bounded', () => {
  it('stops at the depth bound with states left to expand, and says so', () => {
    const result = runExplore(world, { depthMax: 2 });
    expect(result.stop).toBe('depth');
    expect(result.exhausted).toBe(false);
    // 1 boot state, 14 after one op, 170 after two: the 170 were checked, not expanded.
    expect(result.levelSizes).toEqual([1, 14, 170]);
    expect(result.queue).toBe(170);
    const summary = exploreSummary(settings, result).join('\n');
    expect(summary).toContain('explore: states=');
    expect(summary).toContain('unique=185 depth=2 queue=170 exhausted=false bounded=depth');
    expect(summary).toContain('BOUNDED by depth');
    expect(summary).toContain('not a pass');
    expect(summary).not.toContain('EXHAUSTED');
  });

  it('stops at --max-states exactly', () => {
    const result = runExplore(world, { statesMax: 100 });
    expect(result.stop).toBe('states');
    expect(result.distinct).toBe(100);
    expect(exploreSummary({ ...settings, statesMax: 100 }, result).join('\n')).toContain(
      'exhausted=false bounded=max-states',
    );
  });

  it('stops when asked to (Ctrl-C) and says interrupted', () => {
    let expansions = 0;
    const result = runExplore(world, { shouldStop: () => ++expansions > 20 });
    expect(result.stop).toBe('interrupted');
    expect(result.exhausted).toBe(false);
  });

  it('stops at the time bound, read from the clock it is given', () => {
    let now = 0;
    const result = runExplore(world, { timeMs: 50, clock: () => (now += 1) });
    expect(result.stop).toBe('time');
  });
});

describe('the summary', () => {
  it('reads top-down: world, bounds, alphabet, key=value counts, levels, verdict', () => {
    const result = runExplore(microWorld, { alphabet: movableAllocator, depthMax: 3 });
    const lines = exploreSummary(
      { ...settings, world: microWorld, depthMax: 3, alphabet: movableAllocator },
      result,
    );
    // The behaviour counts below the verdict are the model's (pinned by its own suites).
    expect(lines.slice(0, 8).join('\n')).toBe(
      [
        'cmacheck explore · world explore-micro (4 pages, maxOrder 1, pageblockOrder 1) · K4_9' +
          ' · against impl · shard 0/1',
        'bounds: depth ≤ 3 · states unbounded · no time limit',
        'alphabet: 5 ops in every state (MOVABLE), then free, cmaRelease per live allocation',
        'explore: states=93 unique=26 depth=3 queue=12 exhausted=false bounded=depth',
        'levels: 1 4 9 12',
        'fingerprints: 64-bit · 393.8 bytes per state · collision probability 9.4e-17' +
          " (TLC's optimistic d·(g−d)/2^64)",
        'forked by: model saveState · impl saveState',
        'BOUNDED by depth · no violation in the 26 states within the bound; 12 were not' +
          ' expanded, so this is not a pass',
      ].join('\n'),
    );
    expect(lines[9]).toBe('behaviours reached (model, every op applied):');
  });
});

describe('the explorer is deterministic', () => {
  it('gives the same counts, levels and fingerprints twice', () => {
    const first = runExplore(world, { depthMax: 2 });
    const second = runExplore(world, { depthMax: 2 });
    expect(second.generated).toBe(first.generated);
    expect(second.levelSizes).toEqual(first.levelSizes);
    expect(fingerprintsOf(second)).toEqual(fingerprintsOf(first));
    expect(second.behaviours).toEqual(first.behaviours);
  });
});
