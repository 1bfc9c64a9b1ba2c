import { describe, expect, it } from 'vitest';
import type { Op } from '../../src/core/op.ts';
import type { Snapshot } from '../../src/core/snapshot.ts';
import type { CheckContext } from '../../src/core/violation.ts';
import { cmaAllocAligned } from '../../src/invariants/cmaAllocAligned.ts';
import {
  allocationById,
  baseSnapshot,
  baseWorld,
  mutate,
  quietContext,
} from '../support/snapshots.ts';

function allocContext(op: Op, step: number, pfn: number): CheckContext {
  return { ...quietContext(baseWorld(), step), op, result: { ok: true, pfn } };
}

/** Step 2 of the base trace: cmaAlloc cma0 (base 16, order_per_bit 0) count 2, align 0 → 16. */
const cmaAllocOf2 = (align: number, pfn = 16): CheckContext =>
  allocContext({ kind: 'cmaAlloc', area: 0, count: 2, align }, 2, pfn);
/**
 * Step 3: dmaAlloc 12 KiB on cma1 (base 24, order_per_bit 1): align = min(get_order(12288) = 2,
 * CONFIG_CMA_ALIGNMENT 8) = 2 → mask 2^(2−1)−1 = 1; K4_9 offset (ALIGN(24, 4) − 24) >> 1 = 0;
 * the range at 24 is bitmap index 0: (0 + 0) & 1 = 0.
 */
const dmaAllocOf3 = allocContext({ kind: 'dmaAlloc', device: 0, size: 12288 }, 3, 24);

function movedTo(snapshot: Snapshot, id: number, pfn: number): Snapshot {
  return mutate(snapshot, (copy) => {
    allocationById(copy, id).pfn = pfn;
  });
}

describe('cma-alloc-aligned', () => {
  it('holds on the ranges the base trace allocated', () => {
    expect(cmaAllocAligned.check(baseSnapshot(), cmaAllocOf2(0))).toEqual([]);
    expect(cmaAllocAligned.check(baseSnapshot(), dmaAllocOf3)).toEqual([]);
  });

  it('runs right after the ops it reads, and ignores every other op', () => {
    expect(cmaAllocAligned.stepOps).toEqual(['cmaAlloc', 'dmaAlloc']);
    expect(
      cmaAllocAligned.check(movedTo(baseSnapshot(), 3, 26), quietContext(baseWorld(), 3)),
    ).toEqual([]);
  });

  it('fails on a range that does not start on a bitmap chunk', () => {
    // cma1 chunks are 2 pages from 24: pfn 25 is inside chunk 0.
    const [finding] = cmaAllocAligned.check(movedTo(baseSnapshot(), 3, 25), dmaAllocOf3);
    expect(finding.pfns).toEqual([25]);
    expect(finding.explanation).toBe(
      "CMA range #3 at pfn 25 in area 'cma1' (base 24) does not start" +
        ' on a bitmap chunk of 2 pages',
    );
  });

  it('fails on a range whose bitmap index misses the alignment mask', () => {
    // pfn 26 is bitmap index 1 of cma1: (1 + 0) & 1 = 1.
    const [finding] = cmaAllocAligned.check(movedTo(baseSnapshot(), 3, 26), dmaAllocOf3);
    expect(finding.pfns).toEqual([26]);
    expect(finding.explanation).toContain(
      'align 2: bitmap index 1 + offset 0 is not a multiple of 2',
    );
    // cmaAlloc align 2 on cma0 (order_per_bit 0, base 16): 18 is index 2, (2 + 0) & 3 ≠ 0.
    expect(
      cmaAllocAligned.check(movedTo(baseSnapshot(), 2, 18), cmaAllocOf2(2, 18))[0].pfns,
    ).toEqual([18]);
  });

  it("uses the profile's offset formula: K4_9 (−base) mod 2^align, K6_1 base mod 2^align", () => {
    // An area at base 24 with order_per_bit 0 and align 5 (32 pages): K4_9's offset is
    // ALIGN(24, 32) − 24 = 8, so index 24 (pfn 48) satisfies (24 + 8) & 31 = 0; K6_1's offset
    // is 24 & 31 = 24, and (24 + 24) & 31 = 16 ≠ 0 — K6_1 would have returned index 8 (pfn 32).
    const snapshot = mutate(movedTo(baseSnapshot(), 3, 48), (copy) => {
      copy.cma[1].orderPerBit = 0;
    });
    const context = allocContext({ kind: 'cmaAlloc', area: 1, count: 1, align: 5 }, 3, 48);
    expect(cmaAllocAligned.check(snapshot, context)).toEqual([]);
    const k61 = mutate(snapshot, (copy) => {
      copy.profile = 'K6_1';
    });
    expect(cmaAllocAligned.check(k61, context)[0].explanation).toContain(
      'bitmap index 24 + offset 24',
    );
    const k61At32 = mutate(movedTo(k61, 3, 32), () => {});
    expect(cmaAllocAligned.check(k61At32, { ...context, result: { ok: true, pfn: 32 } })).toEqual(
      [],
    );
  });
});
