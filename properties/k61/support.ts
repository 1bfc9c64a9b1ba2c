/**
 * Shared helpers of the K6_1 suites: one world JSON booted under both profiles, ops applied with
 * step numbers as a trace would carry them, and short views of free lists. The world parser only
 * accepts the profiles the impl implements (src/core/world.ts SUPPORTED_PROFILES), so a K6_1
 * world is parsed as K4_9 and then given its profile (MODEL_PROFILES lists what the model runs).
 */
import type { OpResult } from '../../src/core/allocator.ts';
import type { Op } from '../../src/core/op.ts';
import type { Snapshot } from '../../src/core/snapshot.ts';
import { MODEL_PROFILES, type Profile, type World } from '../../src/core/world.ts';
import { parseWorld } from '../../src/core/worldParse.ts';
import { ModelAllocator } from '../../model/allocator.ts';
import { decodeResult } from '../../src/core/result.ts';

/** `json` parsed as a world and set to `profile` (mobility grouping on unless the JSON says). */
export function worldOf(profile: Profile, json: Record<string, unknown>): World {
  if (!MODEL_PROFILES.includes(profile)) throw new Error(`model does not run ${profile}`);
  const world = parseWorld({ mobilityGroupingDisabled: false, ...json, profile: 'K4_9' });
  return { ...world, profile };
}

export interface Traced {
  model: ModelAllocator;
  /** Applies an op with the next step index (so a new allocation's handle is that index). */
  apply: (op: Op) => OpResult;
  snapshot: () => Snapshot;
}

export function bootTrace(profile: Profile, json: Record<string, unknown>): Traced {
  const model = new ModelAllocator();
  model.boot(worldOf(profile, json));
  let step = 0;
  return { model, apply: (op) => decodeResult(model.apply(op, step++)), snapshot: () => model.snapshot() };
}

/** The same world and ops under K4_9 and K6_1: each side's results, in op order. */
export function runBoth(json: Record<string, unknown>, ops: readonly Op[]): {
  k49: { results: OpResult[]; traced: Traced };
  k61: { results: OpResult[]; traced: Traced };
} {
  const run = (profile: Profile): { results: OpResult[]; traced: Traced } => {
    const traced = bootTrace(profile, json);
    return { results: ops.map((op) => traced.apply(op)), traced };
  };
  return { k49: run('K4_9'), k61: run('K6_1') };
}

/** zone `zone`'s lists of one migratetype for every order, head first. */
export function lists(snapshot: Snapshot, mt: number, zone = 0): number[][] {
  return snapshot.zones[zone].freeLists.map((byType) => byType[mt]);
}

export const alloc = (order: number, migratetype: 'UNMOVABLE' | 'MOVABLE' | 'RECLAIMABLE'): Op =>
  ({ kind: 'alloc', order, migratetype });
export const free = (target: number): Op => ({ kind: 'free', target });
export const pin = (target: number): Op => ({ kind: 'pin', target });
export const cmaAlloc = (count: number, align: number, area = 0): Op =>
  ({ kind: 'cmaAlloc', area, count, align });
export const write = (target: number): Op => ({ kind: 'write', target });
export const check = (target: number): Op => ({ kind: 'check', target });
export const ok = (pfn?: number): OpResult => (pfn === undefined ? { ok: true } : { ok: true, pfn });
