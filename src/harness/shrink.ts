/**
 * Shrinking a failing trace to few and simple ops on a small world. Greedy and deterministic:
 * cut everything after the failing step, delete chunks of ops (halves down to single ops, an op
 * whose target is deleted goes with it), simplify each op (lower orders, smaller counts, no
 * alignment), then simplify the world (drop CMA areas, reservations, devices, a zone; halve the
 * pages; lower maxOrder and pageblockOrder), and repeat while anything gets smaller. A candidate
 * is kept only if it fails with the same signature (invariant, side, kind, op kind).
 */
import { InputError } from '../core/inputError.ts';
import { JsonReader, type Json } from '../core/json.ts';
import { type Op, hasTarget } from '../core/op.ts';
import { parseOps } from '../core/opParse.ts';
import type { World } from '../core/world.ts';
import { worldToJson } from '../core/worldJson.ts';
import { parseWorld } from '../core/worldParse.ts';
import { declareLayout } from '../../model/boot/layout.ts';
import {
  type Failure,
  type Implementations,
  type RunOptions,
  DEFAULT_RUN_OPTIONS,
  runTrace,
} from './runner.ts';
import { type FailureSignature, sameSignature, signatureOf } from './trace.ts';

export interface ShrinkOptions {
  runsMax: number;
  runOptions: RunOptions;
  /** Keep the world as it is (shrink the ops only), e.g. to compare with the explorer. */
  keepWorld?: boolean;
}

export const DEFAULT_SHRINK_OPTIONS: ShrinkOptions = {
  runsMax: 4000,
  runOptions: DEFAULT_RUN_OPTIONS,
};

export interface Shrunk {
  world: World;
  ops: Op[];
  failure: Failure;
  /** Candidate runs spent. */
  runs: number;
}

/** Deletes the ops in `doomed` and every op whose target is deleted; renumbers targets. */
export function deleteOps(ops: readonly Op[], doomed: ReadonlySet<number>): Op[] {
  const newIndex = new Int32Array(ops.length).fill(-1);
  const kept: Op[] = [];
  ops.forEach((op, index) => {
    if (doomed.has(index)) return;
    if (hasTarget(op)) {
      const target = newIndex[op.target];
      if (target < 0) return;
      newIndex[index] = kept.length;
      kept.push({ ...op, target });
      return;
    }
    newIndex[index] = kept.length;
    kept.push(op);
  });
  return kept;
}

class Shrinker {
  runs = 0;

  constructor(
    readonly implementations: Implementations,
    readonly signature: FailureSignature,
    readonly options: ShrinkOptions,
    public world: World,
    public ops: Op[],
    public failure: Failure,
  ) {}

  get exhausted(): boolean {
    return this.runs >= this.options.runsMax;
  }

  /** Runs a candidate; adopts it when it fails the same way. */
  try(world: World, ops: Op[]): boolean {
    if (this.exhausted) return false;
    this.runs++;
    const outcome = runTrace(world, ops, this.implementations, this.options.runOptions);
    const failure = outcome.failure;
    if (failure === null || !sameSignature(signatureOf(failure, ops), this.signature)) return false;
    this.world = world;
    this.ops = ops.slice(0, failure.step + 1);
    this.failure = failure;
    return true;
  }

  deleteChunks(): boolean {
    let progress = false;
    for (let size = Math.max(1, this.ops.length >> 1); size >= 1; size >>= 1) {
      for (let start = 0; start < this.ops.length && !this.exhausted;) {
        const doomed = new Set<number>();
        for (let i = start; i < Math.min(this.ops.length, start + size); i++) doomed.add(i);
        if (this.try(this.world, deleteOps(this.ops, doomed))) progress = true;
        else start += size;
      }
    }
    return progress;
  }

  simplifyOps(): boolean {
    let progress = false;
    for (let index = 0; index < this.ops.length && !this.exhausted; index++) {
      for (const simpler of simplerOps(this.ops[index])) {
        const ops = this.ops.slice();
        ops[index] = simpler;
        if (validOps(this.world, ops) && this.try(this.world, ops)) {
          progress = true;
          break;
        }
      }
    }
    return progress;
  }

  simplifyWorld(): boolean {
    let progress = false;
    for (const candidate of simplerWorlds(this.world, this.ops)) {
      if (this.exhausted) break;
      if (this.try(candidate.world, candidate.ops)) progress = true;
    }
    return progress;
  }
}

export function shrinkTrace(
  world: World,
  ops: readonly Op[],
  failure: Failure,
  implementations: Implementations,
  options: ShrinkOptions = DEFAULT_SHRINK_OPTIONS,
): Shrunk {
  const signature = signatureOf(failure, ops);
  const shrinker = new Shrinker(
    implementations,
    signature,
    options,
    world,
    ops.slice(0, failure.step + 1),
    failure,
  );
  let progress = true;
  while (progress && !shrinker.exhausted) {
    progress = shrinker.deleteChunks();
    progress = shrinker.simplifyOps() || progress;
    if (options.keepWorld !== true) progress = shrinker.simplifyWorld() || progress;
  }
  return {
    world: shrinker.world,
    ops: shrinker.ops,
    failure: shrinker.failure,
    runs: shrinker.runs,
  };
}

/** Simpler versions of one op, simplest first. */
export function simplerOps(op: Op): Op[] {
  const candidates: Op[] = [];
  const push = (candidate: Op): void => {
    if (JSON.stringify(candidate) !== JSON.stringify(op)) candidates.push(candidate);
  };
  switch (op.kind) {
    case 'alloc':
      if (op.order > 0) push({ ...op, order: 0 });
      if (op.order > 1) push({ ...op, order: op.order - 1 });
      if (op.migratetype !== 'UNMOVABLE') push({ ...op, migratetype: 'UNMOVABLE' });
      if (op.migratetype === 'RECLAIMABLE') push({ ...op, migratetype: 'MOVABLE' });
      break;
    case 'cmaAlloc':
      if (op.align > 0) push({ ...op, align: 0 });
      if (op.count > 1) push({ ...op, count: 1 });
      if (op.count > 2) push({ ...op, count: op.count >> 1 });
      if (op.count > 1) push({ ...op, count: op.count - 1 });
      if (op.align > 1) push({ ...op, align: op.align - 1 });
      if (op.area > 0) push({ ...op, area: 0 });
      break;
    case 'dmaAlloc':
      if (op.size > 4096) push({ ...op, size: 4096 });
      if (op.size > 8192) push({ ...op, size: op.size >> 1 });
      if (op.device > 0) push({ ...op, device: 0 });
      break;
    default:
      break;
  }
  return candidates;
}

/** Whether `ops` are valid for `world` (orders, areas, devices, counts in range). */
function validOps(world: World, ops: readonly Op[]): boolean {
  try {
    const reader = new JsonReader(
      '<shrink>',
      '$.ops',
      ops.map((op) => ({ ...op })),
    );
    parseOps(reader, { world, cmaAreaCount: declareLayout(world).areas.length });
    return true;
  } catch (error) {
    if (error instanceof InputError) return false;
    throw error;
  }
}

type WorldJson = { [key: string]: Json };

function parsedOrNull(json: WorldJson): World | null {
  try {
    return parseWorld(json, '<shrink>');
  } catch (error) {
    if (error instanceof InputError) return null;
    throw error;
  }
}

/**
 * Ops adapted to a changed world: CMA area indices follow their area by (source, name); ops on an
 * area or device that is gone are deleted; orders are clamped to maxOrder.
 */
function adaptOps(
  before: World,
  after: World,
  ops: readonly Op[],
  deviceMap: (device: number) => number,
): Op[] | null {
  const oldAreas = declareLayout(before).areas;
  const newAreas = declareLayout(after).areas;
  const areaMap = oldAreas.map((area) =>
    newAreas.findIndex((a) => a.source === area.source && a.name === area.name),
  );
  const doomed = new Set<number>();
  const adapted = ops.map((op, index): Op => {
    if (op.kind === 'cmaAlloc') {
      const area = areaMap[op.area] ?? -1;
      if (area < 0) doomed.add(index);
      return { ...op, area: Math.max(0, area) };
    }
    if (op.kind === 'dmaAlloc') {
      const device = deviceMap(op.device);
      if (device < 0) doomed.add(index);
      return { ...op, device: Math.max(0, device) };
    }
    if (op.kind === 'alloc' && op.order > after.maxOrder) return { ...op, order: after.maxOrder };
    return op;
  });
  const result = deleteOps(adapted, doomed);
  return validOps(after, result) ? result : null;
}

function* simplerWorlds(world: World, ops: readonly Op[]): Generator<{ world: World; ops: Op[] }> {
  const base = worldToJson(world);
  const edits: { json: WorldJson; deviceMap: (device: number) => number }[] = [];
  const same = (device: number): number => device;
  const edit = (change: (json: WorldJson) => void, deviceMap = same): void => {
    const json = structuredClone(base);
    change(json);
    edits.push({ json, deviceMap });
  };
  world.cma.forEach((_, i) =>
    edit((json) => {
      (json.cma as Json[]).splice(i, 1);
    }),
  );
  if (world.cmdline !== '')
    edit((json) => {
      json.cmdline = '';
    });
  world.reserved.forEach((_, i) =>
    edit((json) => {
      (json.reserved as Json[]).splice(i, 1);
    }),
  );
  world.devices.forEach((_, i) =>
    edit(
      (json) => {
        (json.devices as Json[]).splice(i, 1);
      },
      (device) => (device === i ? -1 : device > i ? device - 1 : device),
    ),
  );
  if (world.zones.length > 1)
    edit((json) => {
      json.zones = [
        { name: world.zones[world.zones.length - 1].name, startPfn: 0, endPfn: world.pages },
      ];
      delete json.dmaLimitPfn;
    });
  edit((json) => halvePages(json, world));
  if (world.maxOrder > 0) {
    edit((json) => {
      json.maxOrder = world.maxOrder - 1;
      json.pageblockOrder = Math.min(world.pageblockOrder, world.maxOrder - 1);
    });
  }
  if (world.pageblockOrder > 0)
    edit((json) => {
      json.pageblockOrder = world.pageblockOrder - 1;
    });
  for (const { json, deviceMap } of edits) {
    const candidate = parsedOrNull(json);
    if (candidate === null) continue;
    const adapted = adaptOps(world, candidate, ops, deviceMap);
    if (adapted !== null) yield { world: candidate, ops: adapted };
  }
}

/** The world on its lower half: zones, reservations and fixed areas beyond it dropped or cut. */
function halvePages(json: WorldJson, world: World): void {
  const pages = world.pages >> 1;
  json.pages = pages;
  json.zones = world.zones
    .filter((zone) => zone.startPfn < pages)
    .map((zone) => ({
      name: zone.name,
      startPfn: zone.startPfn,
      endPfn: Math.min(zone.endPfn, pages),
    }));
  json.reserved = world.reserved
    .filter((range) => range.startPfn < pages)
    .map((range) => ({ startPfn: range.startPfn, endPfn: Math.min(range.endPfn, pages) }));
  json.cma = world.cma
    .filter((area) => !area.fixed || area.base + area.size <= pages)
    .map((area) => ({
      ...area,
      size: Math.min(area.size, pages),
      limit: Math.min(area.limit, pages),
    }));
  json.dmaLimitPfn = Math.min(world.dmaLimitPfn, pages);
}
