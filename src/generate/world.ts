/**
 * Worlds drawn per run (issue 4): 64..65536 pages, maxOrder 2..10, pageblockOrder ≤ maxOrder,
 * one or two zones, 0..3 CMA areas of varied size, alignment and order_per_bit — now and then
 * misaligned (K4_9 rounds a fixed base up, K6_1 refuses it) or straddling the zone boundary
 * (activation must fail) —, a few reservations, devices on the default area and sometimes a
 * `cma=` area. The profile is the shape's, or drawn per run from its list (issue 7).
 * Produced as world JSON and validated by parseWorld, so every generated world is a legal input.
 */
import fc from 'fast-check';
import type { Json } from '../core/json.ts';
import type { Profile } from '../core/world.ts';

type WorldJson = { [key: string]: Json };
type Draw = fc.GeneratorValue;

export interface WorldShape {
  /** log2 of the largest page count drawn (16 = 65536 pages). */
  pagesLog2Max: number;
  /**
   * The profiles a run draws its world's profile from. With one profile nothing is drawn, so
   * the default (K4_9 only) draws exactly the worlds it drew before profiles were drawn.
   */
  profile: readonly Profile[];
}

export const DEFAULT_WORLD_SHAPE: WorldShape = { pagesLog2Max: 16, profile: ['K4_9'] };

/** The run's profile: the shape's only one, or one drawn from its list. */
function drawProfile(draw: Draw, profiles: readonly Profile[]): Profile {
  if (profiles.length === 1) return profiles[0];
  return profiles[draw(fc.integer, { min: 0, max: profiles.length - 1 })];
}

/**
 * The CMA area unit: the minimum CMA alignment — 2^max(maxOrder, pageblockOrder) pages in K4_9,
 * one pageblock in K6_1 (kernel-semantics.md §5.1, switch P15), so K6_1 areas also start and end
 * inside a max-order block, where the K6_1 rules on CMA edges apply (no merging across them,
 * pageblock-granular isolation).
 */
function cmaUnit(profile: Profile, maxOrder: number, pageblockOrder: number): number {
  return profile === 'K6_1' ? 1 << pageblockOrder : 1 << Math.max(maxOrder, pageblockOrder);
}

/** Small numbers far more often than large ones: min + floor(span * u^3). */
function skewed(draw: Draw, min: number, max: number): number {
  const u = draw(fc.integer, { min: 0, max: 1 << 20 }) / (1 << 20);
  return min + Math.floor((max - min + 1) * u * u * u * 0.999999);
}

function drawZones(draw: Draw, pages: number, blockPages: number): Json[] {
  if (draw(fc.integer, { min: 0, max: 9 }) < 7 || pages < 2 * blockPages) {
    return [{ name: 'Normal', startPfn: 0, endPfn: pages }];
  }
  const boundary = blockPages * draw(fc.integer, { min: 1, max: pages / blockPages - 1 });
  return [
    { name: 'DMA32', startPfn: 0, endPfn: boundary },
    { name: 'Normal', startPfn: boundary, endPfn: pages },
  ];
}

/** Explicit cma_declare_contiguous() calls; fixed ones never overlap (parseWorld rejects that). */
function drawCmaAreas(
  draw: Draw,
  pages: number,
  unit: number,
  maxOrder: number,
  boundary: number | null,
): Json[] {
  const areas: Json[] = [];
  const taken: [number, number][] = [];
  const count = skewed(draw, 0, 3);
  for (let i = 0; i < count; i++) {
    const units = draw(fc.integer, { min: 1, max: 4 });
    const ragged =
      draw(fc.integer, { min: 0, max: 7 }) === 0
        ? draw(fc.integer, { min: 1, max: Math.max(1, unit - 1) })
        : 0;
    const size = Math.min(pages, units * unit + ragged);
    const orderPerBit = skewed(draw, 0, Math.min(3, maxOrder));
    const style = draw(fc.integer, { min: 0, max: 9 });
    let base = 0;
    if (style >= 3) {
      const straddle = boundary !== null && style === 9;
      base = straddle
        ? Math.max(0, boundary - unit)
        : unit * draw(fc.integer, { min: 0, max: Math.max(0, Math.floor(pages / unit) - 1) });
      if (style === 8) base += draw(fc.integer, { min: 1, max: Math.max(1, unit >> 1) });
      if (base + size > pages || taken.some(([s, e]) => s < base + size && base < e)) continue;
      taken.push([base, base + size]);
    }
    areas.push({ name: `cma${i}`, base, size, orderPerBit, fixed: base !== 0 });
  }
  return areas;
}

function drawWorld(draw: Draw, shape: WorldShape): WorldJson {
  const profile = drawProfile(draw, shape.profile);
  const maxOrder = skewed(draw, 2, 10);
  const pageblockOrder = Math.max(0, maxOrder - skewed(draw, 0, maxOrder));
  const blockPages = 1 << pageblockOrder;
  const log2 = draw(fc.integer, {
    min: Math.max(6, maxOrder + 1),
    max: Math.max(shape.pagesLog2Max, maxOrder + 1),
  });
  let pages = 1 << Math.min(log2, 6 + skewed(draw, 0, log2 - 6));
  if (draw(fc.boolean) && pages >= 4 * blockPages) pages = (pages >> 2) * 3;
  pages = Math.max(blockPages, pages - (pages % blockPages));
  const zones = drawZones(draw, pages, blockPages);
  const boundary = zones.length > 1 ? (zones[0] as { endPfn: number }).endPfn : null;
  const unit = cmaUnit(profile, maxOrder, pageblockOrder);
  const reserved: Json[] =
    draw(fc.integer, { min: 0, max: 3 }) === 0
      ? [{ startPfn: 0, endPfn: Math.min(pages, draw(fc.integer, { min: 1, max: 8 })) }]
      : [];
  const devices: Json[] = Array.from({ length: skewed(draw, 0, 2) }, (_, i) => ({
    name: `dev${i}`,
  }));
  const cmdlineKib =
    draw(fc.integer, { min: 0, max: 4 }) === 0
      ? unit * 4 * draw(fc.integer, { min: 1, max: 2 })
      : 0;
  return {
    name: 'generated',
    profile,
    pages,
    maxOrder,
    pageblockOrder,
    zones,
    reserved,
    cmdline: cmdlineKib > 0 ? `cma=${cmdlineKib}K` : '',
    cma: drawCmaAreas(draw, pages, unit, maxOrder, boundary),
    devices,
  };
}

export function worldArbitrary(shape: WorldShape = DEFAULT_WORLD_SHAPE): fc.Arbitrary<WorldJson> {
  return fc.gen().map((draw) => drawWorld(draw, shape));
}
