/**
 * Helpers for the impl scenario specs: boot a world given as JSON, apply ops with their step
 * indices, and read one free list or one allocation out of the snapshot by name.
 */
import { expect } from 'vitest';
import type { OpResult } from '../../src/core/allocator.ts';
import { MIGRATETYPE_LETTERS, type RequestMigratetypeName } from '../../src/core/migratetype.ts';
import type { Op, TargetOp } from '../../src/core/op.ts';
import type { AllocationSnapshot, Snapshot } from '../../src/core/snapshot.ts';
import { parseWorld } from '../../src/core/worldParse.ts';
import { ImplAllocator } from '../../impl/allocator.ts';
import { decodeResult } from '../../src/core/result.ts';

export class Scenario {
  readonly allocator = new ImplAllocator();
  readonly results: OpResult[] = [];

  constructor(world: Record<string, unknown>) {
    this.allocator.boot(parseWorld(world));
  }

  /** Applies `op` as the next step; its step index is the handle of what it allocates. */
  apply(op: Op): OpResult {
    const result = decodeResult(this.allocator.apply(op, this.results.length));
    this.results.push(result);
    expect(this.allocator.verify()).toEqual([]);
    return result;
  }

  /** `alloc {order, migratetype}` (MOVABLE unless said); returns the pfn or -1. */
  alloc(order: number, migratetype: RequestMigratetypeName = 'MOVABLE'): number {
    return this.apply({ kind: 'alloc', order, migratetype }).pfn ?? -1;
  }

  /** `cmaAlloc {area, count, align}`. */
  cmaAlloc(area: number, count: number, align: number): OpResult {
    return this.apply({ kind: 'cmaAlloc', area, count, align });
  }

  /** An op on the allocation made at step `target`. */
  on(kind: TargetOp['kind'], target: number): OpResult {
    return this.apply({ kind, target });
  }

  /** The step index the next op will get. */
  get nextStep(): number {
    return this.results.length;
  }

  snapshot(): Snapshot {
    return this.allocator.snapshot();
  }

  /** free_area[order].free_list[letter] of zone `zone`, head first. */
  list(order: number, letter: string, zone = 0): number[] {
    const migratetype = MIGRATETYPE_LETTERS.indexOf(letter);
    expect(migratetype).toBeGreaterThanOrEqual(0);
    return this.snapshot().zones[zone].freeLists[order][migratetype];
  }

  /** Every non-empty list of zone `zone` as "order letter" → pfns, for whole-state pictures. */
  lists(zone = 0): Record<string, number[]> {
    const pictured: Record<string, number[]> = {};
    this.snapshot().zones[zone].freeLists.forEach((byType, order) => {
      byType.forEach((pfns, migratetype) => {
        if (pfns.length > 0) pictured[`${order} ${MIGRATETYPE_LETTERS[migratetype]}`] = pfns;
      });
    });
    return pictured;
  }

  allocation(id: number): AllocationSnapshot {
    const found = this.snapshot().allocations.find((allocation) => allocation.id === id);
    expect(found, `allocation ${id}`).toBeDefined();
    return found as AllocationSnapshot;
  }
}
