/**
 * The explorer visits every reachable state once (STYLE G14): exact distinct-state counts on
 * fixed tiny worlds under each profile, the 4-page world and explore-tiny under K6_1 recomputed
 * by a naive explorer written here — the model's plain state copied with structuredClone for
 * every transition (STYLE G4), states keyed by a JSON string of their canonical snapshot in a
 * Set — which shares nothing with src/explore/ or the model's saveState() but the documented
 * rules (which ops are tried, what is symmetric).
 */
import { describe, expect, it } from 'vitest';
import { apply } from '../../model/apply.ts';
import { bootModel } from '../../model/boot/boot.ts';
import { modelSnapshot } from '../../model/snapshot.ts';
import type { ModelState } from '../../model/state.ts';
import type { Op } from '../../src/core/op.ts';
import type { Snapshot } from '../../src/core/snapshot.ts';
import type { Profile, World } from '../../src/core/world.ts';
import { worldToJson } from '../../src/core/worldJson.ts';
import { parseWorld } from '../../src/core/worldParse.ts';
import {
  microWorld,
  movableAllocator,
  movableEverything,
  runExplore,
  worldFile,
} from './support.ts';

/** The canonical form of docs (src/explore/canonical.ts): handles dropped, data as two facts. */
function naiveKey(snapshot: Snapshot): string {
  const allocations = [...snapshot.allocations]
    .sort((a, b) => a.pfn - b.pfn)
    .map(({ id: _id, token, frameToken, ...rest }) => ({
      ...rest,
      written: token !== 0,
      intact: frameToken === token,
    }));
  return JSON.stringify({ ...snapshot, allocations });
}

/**
 * The alphabet of movableEverything on microWorld, spelled out: alloc order 0 and 1 MOVABLE;
 * cmaAlloc on the 2-page area with count 1 (align 0) and count 2 (align 0 and its natural
 * order 1); per allocation free / cmaRelease, pin or unpin (MOVABLE pages), write or check.
 */
function naiveOps(snapshot: Snapshot): Op[] {
  const ops: Op[] = [
    { kind: 'alloc', order: 0, migratetype: 'MOVABLE' },
    { kind: 'alloc', order: 1, migratetype: 'MOVABLE' },
    { kind: 'cmaAlloc', area: 0, count: 1, align: 0 },
    { kind: 'cmaAlloc', area: 0, count: 2, align: 0 },
    { kind: 'cmaAlloc', area: 0, count: 2, align: 1 },
  ];
  for (const a of snapshot.allocations) {
    if (a.kind === 'pages') {
      ops.push({ kind: 'free', target: a.id }, { kind: a.pinned ? 'unpin' : 'pin', target: a.id });
    } else {
      ops.push({ kind: 'cmaRelease', target: a.id });
    }
    ops.push({ kind: a.token === 0 ? 'write' : 'check', target: a.id });
  }
  return ops;
}

/**
 * The alphabet of movableAllocator on explore-tiny (8 pages, maxOrder 2, a 4-page area at pfn 4),
 * spelled out: alloc order 0, 1, 2 MOVABLE; cmaAlloc count 1 (align 0), 2 (align 0, 1), 3 and
 * 4 (align 0, 2); per allocation free or cmaRelease.
 */
function tinyOps(snapshot: Snapshot): Op[] {
  const ops: Op[] = [0, 1, 2].map((order) => ({ kind: 'alloc', order, migratetype: 'MOVABLE' }));
  const aligns: [count: number, align: number][] = [[1, 0], [2, 0], [2, 1], [3, 0], [3, 2],
    [4, 0], [4, 2]];
  for (const [count, align] of aligns) ops.push({ kind: 'cmaAlloc', area: 0, count, align });
  for (const a of snapshot.allocations) {
    ops.push({ kind: a.kind === 'pages' ? 'free' : 'cmaRelease', target: a.id });
  }
  return ops;
}

function naiveCount(
  world: World,
  opsOf: (snapshot: Snapshot) => Op[] = naiveOps,
): { distinct: number; levels: number[] } {
  const initial = bootModel(world);
  const initialSnapshot = modelSnapshot(initial);
  const seen = new Set<string>([naiveKey(initialSnapshot)]);
  // Each frontier state with its snapshot, taken once: it gives both the key and the ops.
  let frontier: [ModelState, Snapshot][] = [[initial, initialSnapshot]];
  const levels = [1];
  for (let depth = 0; frontier.length > 0; depth++) {
    const next: [ModelState, Snapshot][] = [];
    for (const [state, snapshot] of frontier) {
      for (const op of opsOf(snapshot)) {
        const successor = structuredClone(state);
        apply(successor, op, depth);
        const successorSnapshot = modelSnapshot(successor);
        const key = naiveKey(successorSnapshot);
        if (seen.has(key)) continue;
        seen.add(key);
        next.push([successor, successorSnapshot]);
      }
    }
    if (next.length > 0) levels.push(next.length);
    frontier = next;
  }
  return { distinct: seen.size, levels };
}

describe('the explorer counts every reachable state once', () => {
  it('agrees with a naive string-keyed explorer on a 4-page world (1595 states)', () => {
    const naive = naiveCount(microWorld);
    const result = runExplore(microWorld, { alphabet: movableEverything });
    expect(result.exhausted).toBe(true);
    expect(result.distinct).toBe(naive.distinct);
    expect(result.levelSizes).toEqual(naive.levels);
    // Pinned: every state of explore-micro under MOVABLE requests and every op kind.
    expect(result.distinct).toBe(1595);
  });

  it('exhausts the 8-page explore-tiny world in 4650 states', () => {
    const result = runExplore(worldFile('explore-tiny'), { alphabet: movableAllocator });
    expect(result.stop).toBe('exhausted');
    expect(result.queue).toBe(0);
    // Depth 1: 10 ops — alloc order 0, 1, 2 MOVABLE (each takes pfn 0: 3 states) and cmaAlloc
    // count 1 (align 0), 2 (align 0, 1), 3 (align 0, 2), 4 (align 0, 2) on the area at pfn 4
    // (every alignment finds pfn 4: 4 states) — 7. The levels then grow while free memory
    // lasts and shrink to the 32 states 14 ops deep from which every op leads back.
    expect(result.levelSizes).toEqual([
      1, 7, 28, 73, 154, 273, 425, 597, 720, 762, 688, 500, 282, 108, 32,
    ]);
    expect(result.distinct).toBe(4650);
    expect(result.collisionProbability).toBeLessThan(1e-9);
  });
});

/** explore-tiny as the file says, but under `profile`. */
function tinyUnder(profile: Profile): World {
  return parseWorld({ ...worldToJson(worldFile('explore-tiny')), profile }, 'explore-tiny');
}

describe('the explorer counts every reachable state once under K6_1', () => {
  it('exhausts explore-tiny under K6_1 in 4650 states, as a naive explorer counts them', () => {
    const world = tinyUnder('K6_1');
    const naive = naiveCount(world, tinyOps);
    const result = runExplore(world, { alphabet: movableAllocator });
    expect(result.stop).toBe('exhausted');
    expect(result.distinct).toBe(naive.distinct);
    expect(result.levelSizes).toEqual(naive.levels);
    // As many states as under K4_9, at other depths: the 4-page CMA area is exactly half of
    // free memory at boot, so K6_1's CMA-first rule (more than half) holds as soon as a page
    // outside CMA is taken, and MOVABLE requests then take CMA pages before their own; the
    // levels end at 24 states 14 ops deep (K4_9: 32).
    expect(result.levelSizes).toEqual([
      1, 7, 28, 73, 165, 305, 465, 638, 754, 762, 642, 448, 267, 71, 24,
    ]);
    expect(result.distinct).toBe(4650);
    expect(result.collisionProbability).toBeLessThan(1e-9);
  });
});
