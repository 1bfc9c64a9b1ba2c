/**
 * The explorer visits every reachable state once (STYLE G14): exact distinct-state counts on
 * fixed tiny worlds, one of them recomputed by a naive explorer written here — the model's plain
 * state copied with structuredClone for every transition (STYLE G4), states keyed by a JSON
 * string of their canonical snapshot in a Set — which shares nothing with src/explore/ or the
 * model's saveState() but the documented rules (which ops are tried, what is symmetric).
 */
import { describe, expect, it } from 'vitest';
import { apply } from '../../model/apply.ts';
import { bootModel } from '../../model/boot/boot.ts';
import { modelSnapshot } from '../../model/snapshot.ts';
import type { ModelState } from '../../model/state.ts';
import type { Op } from '../../src/core/op.ts';
import type { Snapshot } from '../../src/core/snapshot.ts';
import type { World } from '../../src/core/world.ts';
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

function naiveCount(world: World): { distinct: number; levels: number[] } {
  const initial = bootModel(world);
  const seen = new Set<string>([naiveKey(modelSnapshot(initial))]);
  let frontier: ModelState[] = [initial];
  const levels = [1];
  for (let depth = 0; frontier.length > 0; depth++) {
    const next: ModelState[] = [];
    for (const state of frontier) {
      for (const op of naiveOps(modelSnapshot(state))) {
        const successor = structuredClone(state);
        apply(successor, op, depth);
        const key = naiveKey(modelSnapshot(successor));
        if (seen.has(key)) continue;
        seen.add(key);
        next.push(successor);
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
