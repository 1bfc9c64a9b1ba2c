/**
 * `--shard i/n` splits the frontier by prefix: every shard walks the same first levels, the
 * first level with at least 4 states per shard is dealt out state by state, and each shard
 * explores below its own states only, with its own visited set (shards never talk). Together
 * the shards see exactly the states of one run. A state reachable below two prefixes is seen by
 * both shards, so on a run bounded by depth each shard does part of the work; on an exhausted
 * space where every op can be undone, each shard ends up seeing every state.
 */
import { describe, expect, it } from 'vitest';
import { SPLIT_STATES_PER_SHARD } from '../../src/explore/explorer.ts';
import type { ExploreOptions } from '../../src/explore/explorer.ts';
import type { World } from '../../src/core/world.ts';
import { fingerprintsOf, microWorld, runExplore, worldFile } from './support.ts';

function checkShards(world: World, count: number, options: Partial<ExploreOptions>): number[] {
  const whole = runExplore(world, options);
  const union = new Set<string>();
  let owned = 0;
  const levelSizes = new Set<number | undefined>();
  const generated: number[] = [];
  for (let index = 0; index < count; index++) {
    const part = runExplore(world, { ...options, shard: { index, count } });
    expect(part.stop).toBe(whole.stop);
    expect(part.split?.levelSize).toBeGreaterThanOrEqual(SPLIT_STATES_PER_SHARD * count);
    owned += part.split?.owned ?? 0;
    levelSizes.add(part.split?.levelSize);
    for (const fingerprint of fingerprintsOf(part)) union.add(fingerprint);
    generated.push(part.generated / whole.generated);
  }
  expect(union).toEqual(fingerprintsOf(whole));
  expect([...levelSizes]).toEqual([owned]);
  return generated;
}

describe('shards together cover the states of one run', () => {
  it('2 shards of an exhausted 4-page space: the union is every state', () => {
    const alphabet = {
      kinds: ['alloc', 'free', 'cmaAlloc', 'cmaRelease'] as const,
      migratetypes: ['UNMOVABLE', 'MOVABLE'] as const,
    };
    checkShards(microWorld, 2, { alphabet });
  });

  it('3 shards of a depth-bounded run: the union is every state, each does under half', () => {
    const shares = checkShards(worldFile('explore-small'), 3, { depthMax: 3 });
    for (const share of shares) expect(share).toBeLessThan(0.5);
  });
});
