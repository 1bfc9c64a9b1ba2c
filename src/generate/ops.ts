/**
 * Op sequences for one world, biased toward interesting states (issue 4): each run draws its own
 * mix (swarm testing: some op kinds switched off, a migratetype bias, an order range), and ops
 * come now and then in bursts of one repeated op — filling memory, pressing CMA with movable and
 * pinned pages, allocating and releasing the same sizes again and again.
 *
 * Ops are drawn from a seeded Rng (src/generate/rng.ts) whose seed fast-check draws.
 *
 * Targets are drawn as `pick` numbers and resolved against the live allocations when the op runs
 * (resolveGenOp), so a generated sequence never names an allocation that does not exist.
 */
import fc from 'fast-check';
import { REQUEST_MIGRATETYPE_NAMES } from '../core/migratetype.ts';
import { type Op, type OpKind, TARGET_KINDS, type TargetOp } from '../core/op.ts';
import type { World } from '../core/world.ts';
import type { LiveSet } from '../harness/liveSet.ts';
import { Rng } from './rng.ts';

export type GenOp = Exclude<Op, TargetOp> | { kind: TargetOp['kind']; pick: number };

/** What the generator needs to know beyond the world: the areas registered at boot. */
export interface OpContext {
  world: World;
  areaPages: readonly number[];
}

/** Draws an integer in [min, max] (the same shape as fast-check's gen() draws). */
type Draw = (min: number, max: number) => number;

const KINDS: readonly OpKind[] = [
  'alloc',
  'free',
  'cmaAlloc',
  'cmaRelease',
  'dmaAlloc',
  'dmaFree',
  'pin',
  'unpin',
  'write',
  'check',
];
const BASE_WEIGHTS: Record<OpKind, number> = {
  alloc: 40,
  free: 25,
  cmaAlloc: 10,
  cmaRelease: 7,
  dmaAlloc: 4,
  dmaFree: 3,
  pin: 4,
  unpin: 2,
  write: 3,
  check: 2,
};

interface Mix {
  weights: number[];
  /** Chance in 256 that a request is MOVABLE, UNMOVABLE (the rest RECLAIMABLE). */
  movable: number;
  unmovable: number;
  orderMax: number;
  burst: number;
}

function drawMix(draw: Draw, context: OpContext): Mix {
  const weights = KINDS.map((kind) => {
    if ((kind === 'cmaAlloc' || kind === 'cmaRelease') && context.areaPages.length === 0) return 0;
    if ((kind === 'dmaAlloc' || kind === 'dmaFree') && context.world.devices.length === 0) return 0;
    const off = kind !== 'alloc' && draw(0, 5) === 0;
    return off ? 0 : BASE_WEIGHTS[kind] * draw(1, 4);
  });
  const movable = draw(40, 250);
  return {
    weights,
    movable,
    unmovable: Math.floor(((256 - movable) * draw(0, 100)) / 100),
    orderMax: draw(0, context.world.maxOrder),
    burst: draw(0, 40),
  };
}

function pickKind(draw: Draw, mix: Mix): OpKind {
  const total = mix.weights.reduce((sum, w) => sum + w, 0);
  let ticket = draw(0, total - 1);
  for (let i = 0; i < KINDS.length; i++) {
    ticket -= mix.weights[i];
    if (ticket < 0) return KINDS[i];
  }
  return 'alloc';
}

/** An order from a geometric distribution capped at the mix's maximum (half are order 0). */
function drawOrder(draw: Draw, mix: Mix): number {
  let order = 0;
  while (order < mix.orderMax && draw(0, 1) === 1) order++;
  return order;
}

function drawOp(draw: Draw, mix: Mix, context: OpContext): GenOp {
  const kind = pickKind(draw, mix);
  switch (kind) {
    case 'alloc': {
      const ticket = draw(0, 255);
      const mt = ticket < mix.movable ? 1 : ticket < mix.movable + mix.unmovable ? 0 : 2;
      return { kind, order: drawOrder(draw, mix), migratetype: REQUEST_MIGRATETYPE_NAMES[mt] };
    }
    case 'cmaAlloc': {
      const area = draw(0, context.areaPages.length - 1);
      const pages = Math.max(1, context.areaPages[area]);
      const count =
        draw(0, 15) === 0 ? 0 : 1 + Math.floor((pages - 1) * (draw(0, 1000) / 1000) ** 3);
      return {
        kind,
        area,
        count,
        align: drawOrder(draw, { ...mix, orderMax: context.world.maxOrder + 1 }),
      };
    }
    case 'dmaAlloc': {
      const device = draw(0, context.world.devices.length - 1);
      const pages = 1 + drawOrder(draw, { ...mix, orderMax: context.world.maxOrder }) * draw(1, 3);
      return { kind, device, size: pages * 4096 - draw(0, 4095) };
    }
    default:
      return { kind, pick: draw(0, 1 << 16) };
  }
}

function drawOps(draw: Draw, context: OpContext, lengthMax: number): GenOp[] {
  const mix = drawMix(draw, context);
  const length = draw(1, lengthMax);
  const ops: GenOp[] = [];
  while (ops.length < length) {
    const op = drawOp(draw, mix, context);
    const repeat = draw(0, 255) < mix.burst ? draw(2, 24) : 1;
    for (let i = 0; i < repeat && ops.length < length; i++) ops.push(op);
  }
  return ops;
}

export function opsArbitrary(context: OpContext, lengthMax: number): fc.Arbitrary<GenOp[]> {
  return fc.nat().map((seed) => {
    const rng = new Rng(seed);
    return drawOps((min, max) => rng.int(min, max), context, lengthMax);
  });
}

/**
 * The concrete op a generated op stands for right now: targets resolve to the pick-th live
 * allocation of an accepted kind (LiveSet.nthOfKinds); null when there is none (the op is dropped).
 */
export function resolveGenOp(op: GenOp, live: LiveSet): Op | null {
  if (!('pick' in op)) return op;
  const kinds = TARGET_KINDS[op.kind];
  const count = live.countOfKinds(kinds);
  if (count === 0) return null;
  return { kind: op.kind, target: live.nthOfKinds(kinds, op.pick % count).id };
}
