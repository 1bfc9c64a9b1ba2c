/**
 * Result codes (src/core/result.ts): Allocator.apply() returns one number per op, and the
 * harness compares two sides' codes with ===. That is sound only if encoding is one-to-one on
 * the results ops give, and decoding inverts it; a number no encoder writes must never pass as
 * a result (a broken implementation's garbage is reported, not decoded into something).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ImplAllocator } from '../../impl/allocator.ts';
import { ModelAllocator } from '../../model/allocator.ts';
import type { Op } from '../../src/core/op.ts';
import { parseWorld } from '../../src/core/worldParse.ts';
import { runTrace } from '../../src/harness/runner.ts';
import {
  FAILURE_REASONS, type OpResult, RESULT_OK, decodeResult, describeResult, encodeResult,
  failure, isOk, isResultCode,
} from '../../src/core/result.ts';

const results: fc.Arbitrary<OpResult> = fc.oneof(
  fc.nat({ max: 1 << 23 }).map((pfn) => ({ ok: true, pfn })),
  fc.constant({ ok: true }),
  fc.constantFrom(...FAILURE_REASONS).map((reason) => ({ ok: false, reason })),
);

describe('result codes', () => {
  it('decode(encode(r)) is r, and equal codes mean equal results (seed 7)', () => {
    fc.assert(fc.property(results, results, (a, b) => {
      expect(decodeResult(encodeResult(a))).toEqual(a);
      expect(encodeResult(a) === encodeResult(b)).toBe(JSON.stringify(a) === JSON.stringify(b));
      expect(isOk(encodeResult(a))).toBe(a.ok);
    }), { seed: 7, numRuns: 500 });
  });

  it('every reason has its own code below RESULT_OK', () => {
    const codes = FAILURE_REASONS.map(failure);
    expect(new Set(codes).size).toBe(FAILURE_REASONS.length);
    for (const code of codes) expect(code).toBeLessThan(RESULT_OK);
    expect(describeResult(failure('no-space'))).toBe('failed (no-space)');
    expect(describeResult(RESULT_OK)).toBe('ok');
    expect(describeResult(12)).toBe('pfn 12');
  });

  it('a number no encoder writes is no code: decode throws, describe says so', () => {
    for (const bad of [-2 - FAILURE_REASONS.length, 1.5, Number.NaN, 2 ** 60]) {
      expect(isResultCode(bad), String(bad)).toBe(false);
      expect(() => decodeResult(bad)).toThrow(/no result code/);
      expect(describeResult(bad)).toBe(`no result code (${bad})`);
    }
    expect(() => encodeResult({ ok: false })).toThrow(/needs a reason/);
  });
});

/** impl, except that a free answers `code` instead of the pfn it freed. */
class GarbageFree extends ImplAllocator {
  constructor(private readonly code: number) {
    super('garbage-free');
  }

  override apply(op: Op, step: number): number {
    const result = super.apply(op, step);
    return op.kind === 'free' ? this.code : result;
  }
}

describe('the runner compares codes', () => {
  const world = parseWorld({ pages: 64, maxOrder: 2 });
  const ops: Op[] = [
    { kind: 'alloc', order: 1, migratetype: 'MOVABLE' },
    { kind: 'free', target: 0 },
  ];

  // The free answers the pfn the allocation got, whatever the buddy chose.
  const model = new ModelAllocator();
  model.boot(world);
  const pfn = model.apply(ops[0], 0);

  it.each([
    [1.5, 'no result code (1.5)'],
    [failure('ENOMEM'), 'failed (ENOMEM)'],
  ])('a free answering %s is a disagreement at that step', (code, actual) => {
    const explanation = `free result: expected pfn ${pfn} actual ${actual}`;
    const outcome = runTrace(world, ops, {
      model: () => new ModelAllocator(), impl: () => new GarbageFree(code),
    });
    expect(outcome.failure).toMatchObject({ kind: 'disagreement', step: 1, explanation });
  });
});
