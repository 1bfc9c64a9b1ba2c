/**
 * cma-bitmap — kernel-semantics.md §5.6–§5.8, §8.1 I12, §12.20.
 *
 * For each active area, with maxno = count >> order_per_bit (cma_bitmap_maxno):
 *   - bit i is set iff chunk i (2^order_per_bit pages from basePfn) belongs to a live CMA or
 *     DMA range of the area; a range of pageCount pages at pfn holds the
 *     ceil(pageCount / 2^opb) chunks from (pfn − basePfn) >> opb, as cma_alloc sets them and
 *     cma_release clears them. Checked chunk-wise, not page-wise: the tail of the last chunk
 *     may be free in the buddy while its bit is set (§12.20).
 *   - the debugfs `bitmap` has ceil(maxno / 32) u32 words and no bit set past maxno;
 *   - `used` = popcount << opb; `maxchunk` = longest clear run << opb, or null exactly when
 *     the profile's debugfs read never returns (K4_9 with opb > 0, §5.8).
 * `used` and `maxchunk` are checked against the bitmap as exported, so one wrong bit is one
 * finding, not three.
 * Every CMA or DMA range names an active area and lies inside its bitmap.
 */
import type { CmaAreaSnapshot, Snapshot } from '../core/snapshot.ts';
import type { Invariant } from '../core/violation.ts';
import type { Profile } from '../core/world.ts';
import {
  type Findings, closeFindings, describeAllocation, newFindings, pfnRun, report,
} from './findings.ts';

export const cmaBitmap: Invariant = {
  id: 'cma-bitmap',
  description: 'each CMA bitmap bit is set exactly when a live CMA or DMA range holds its chunk,'
    + ' and used/maxchunk follow from the bitmap',
  check(snapshot) {
    const findings = newFindings();
    checkRangesNameActiveAreas(snapshot, findings);
    snapshot.cma.forEach((area, index) => {
      if (area.state !== 'active') return;
      const maxno = Math.max(0, area.count >> area.orderPerBit);
      const words = Math.ceil(maxno / 32);
      if (area.bitmap.length !== words) {
        report(findings, [area.basePfn], () => `${areaName(area, index)} bitmap has`
          + ` ${area.bitmap.length} words, expected ${words} (maxno ${maxno})`);
        return;
      }
      const expected = expectedBits(snapshot, index, maxno, findings);
      checkBits(area, index, expected, findings);
      checkDebugfs(snapshot.profile, area, index, findings);
    });
    return closeFindings(findings);
  },
};

function areaName(area: CmaAreaSnapshot, index: number): string {
  return `CMA area ${index} '${area.name}'`;
}

function checkRangesNameActiveAreas(snapshot: Snapshot, findings: Findings): void {
  for (const allocation of snapshot.allocations) {
    if (allocation.kind === 'pages') continue;
    const area = snapshot.cma[allocation.area];
    if (area !== undefined && area.state === 'active') continue;
    const state = area === undefined ? 'which does not exist' : `which is ${area.state}`;
    report(findings, [allocation.pfn], () => `${describeAllocation(allocation)} names area`
      + ` ${allocation.area} ${state}, expected an active area`);
  }
}

/** The bits the live ranges of area `index` hold: 1 per chunk, as cma_alloc would set them. */
function expectedBits(
  snapshot: Snapshot, index: number, maxno: number, findings: Findings,
): Uint8Array {
  const area = snapshot.cma[index];
  const bits = new Uint8Array(maxno);
  for (const allocation of snapshot.allocations) {
    if (allocation.kind === 'pages' || allocation.area !== index) continue;
    const firstBit = (allocation.pfn - area.basePfn) >> area.orderPerBit;
    const bitCount = Math.ceil(allocation.pageCount / (1 << area.orderPerBit));
    if (allocation.pfn < area.basePfn || firstBit + bitCount > maxno) {
      report(findings, [allocation.pfn], () => `${describeAllocation(allocation)} needs bits`
        + ` ${firstBit}..${firstBit + bitCount - 1}, outside ${areaName(area, index)}'s bitmap`
        + ` of ${maxno} bits`);
      continue;
    }
    bits.fill(1, firstBit, firstBit + bitCount);
  }
  return bits;
}

function bitAt(bitmap: readonly number[], bit: number): number {
  return (bitmap[bit >>> 5] >>> (bit & 31)) & 1;
}

/** Runs of bits that differ from `expected`, and any bit set past maxno. */
function checkBits(
  area: CmaAreaSnapshot, index: number, expected: Uint8Array, findings: Findings,
): void {
  const maxno = expected.length;
  const chunkPages = 1 << area.orderPerBit;
  let bit = 0;
  while (bit < maxno) {
    const actual = bitAt(area.bitmap, bit);
    if (actual === expected[bit]) {
      bit++;
      continue;
    }
    const first = bit;
    while (bit < maxno && bitAt(area.bitmap, bit) === actual && expected[bit] !== actual) bit++;
    const pfn = area.basePfn + first * chunkPages;
    const bits = bit - first === 1 ? `bit ${first}` : `bits ${first}..${bit - 1}`;
    const what = actual === 1
      ? 'set but no live CMA or DMA range holds the chunk'
      : 'clear but a live CMA or DMA range holds the chunk';
    report(findings, [pfn], () => `${areaName(area, index)} bitmap ${bits}`
      + ` (${pfnRun(pfn, (bit - first) * chunkPages)}): ${what}`);
  }
  for (let past = maxno; past < area.bitmap.length * 32; past++) {
    if (bitAt(area.bitmap, past) === 0) continue;
    report(findings, [], () => `${areaName(area, index)} bitmap bit ${past} is set, expected no`
      + ` bit set past maxno ${maxno}`);
    return;
  }
}

function checkDebugfs(
  profile: Profile, area: CmaAreaSnapshot, index: number, findings: Findings,
): void {
  const maxno = Math.max(0, area.count >> area.orderPerBit);
  let setBits = 0;
  let clearRun = 0;
  let clearRunMax = 0;
  for (let bit = 0; bit < maxno; bit++) {
    if (bitAt(area.bitmap, bit) === 1) {
      setBits++;
      clearRun = 0;
    } else {
      clearRun++;
      if (clearRun > clearRunMax) clearRunMax = clearRun;
    }
  }
  const used = setBits << area.orderPerBit;
  if (area.used !== used) {
    report(findings, [area.basePfn], () => `${areaName(area, index)} debugfs used is`
      + ` ${area.used}, expected ${used} (${setBits} set bits << order_per_bit)`);
  }
  const maxchunk = maxchunkHangs(profile, area.orderPerBit)
    ? null
    : clearRunMax << area.orderPerBit;
  if (area.maxchunk !== maxchunk) {
    report(findings, [area.basePfn], () => `${areaName(area, index)} debugfs maxchunk is`
      + ` ${area.maxchunk}, expected ${maxchunk} (${maxchunkRule(profile, area.orderPerBit)})`);
  }
}

/** K4_9's cma_maxchunk_get loops on `start >= cma->count` (pages) over bits: with opb > 0 it
 *  never ends (§5.8). K6_1 bounds it by maxno. */
export function maxchunkHangs(profile: Profile, orderPerBit: number): boolean {
  switch (profile) {
    case 'K4_9': return orderPerBit > 0;
    case 'K6_1': return false;
  }
}

function maxchunkRule(profile: Profile, orderPerBit: number): string {
  return maxchunkHangs(profile, orderPerBit)
    ? `${profile} never returns from reading it with order_per_bit ${orderPerBit}`
    : 'the longest clear run << order_per_bit';
}
