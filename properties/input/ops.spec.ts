import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/inputError.ts';
import { JsonReader } from '../../src/core/json.ts';
import { parseOps } from '../../src/core/opParse.ts';
import { parseWorld } from '../../src/core/worldParse.ts';

const world = parseWorld({ pages: 64, maxOrder: 2, devices: [{ name: 'cam' }] });

function rejection(ops: unknown, cmaAreaCount = 1): string {
  try {
    parseOps(new JsonReader('t.json', '$.ops', ops), { world, cmaAreaCount });
  } catch (error) {
    if (error instanceof InputError) return error.message;
    throw error;
  }
  throw new Error('expected the ops to be rejected');
}

describe('op validation names the op, the field and the reason', () => {
  it.each([
    [[{ kind: 'alloc', order: 3, migratetype: 'MOVABLE' }], 't.json: $.ops[0].order: expected integer 0..2 (maxOrder), got 3'],
    [[{ kind: 'alloc', order: -1, migratetype: 'MOVABLE' }], 't.json: $.ops[0].order: expected integer 0..2 (maxOrder), got -1'],
    [[{ kind: 'alloc', order: 0, migratetype: 'CMA' }], "t.json: $.ops[0].migratetype: expected one of 'UNMOVABLE', 'MOVABLE', 'RECLAIMABLE', got \"CMA\""],
    [[{ kind: 'steal', order: 0 }], "t.json: $.ops[0].kind: expected one of 'alloc', 'free'"],
    [[{ kind: 'free', target: 0 }], 't.json: $.ops[0].target: the first op has no earlier op to target'],
    [[{ kind: 'alloc', order: 0, migratetype: 'MOVABLE' }, { kind: 'free', target: 5 }], 't.json: $.ops[1].target: expected integer 0..0 (index of an earlier op), got 5'],
    [[{ kind: 'alloc', order: 0, migratetype: 'MOVABLE' }, { kind: 'write', target: 0 }, { kind: 'free', target: 1 }],
      't.json: $.ops[2].target: op 1 does not create an allocation (write)'],
    [[{ kind: 'cmaAlloc', area: 1, count: 1, align: 0 }], 't.json: $.ops[0].area: expected integer 0..0 (registered CMA areas), got 1'],
    [[{ kind: 'dmaAlloc', device: 2, size: 4096 }], 't.json: $.ops[0].device: expected integer 0..0 (world devices), got 2'],
    [[{ kind: 'alloc', order: 0, migratetype: 'MOVABLE', extra: 1 }], "t.json: $.ops[0].extra: unknown field 'extra'"],
    ['nope', 't.json: $.ops: expected an array, got "nope"'],
  ])('rejects %j', (ops, message) => {
    expect(rejection(ops)).toContain(message);
  });

  it('rejects a cmaAlloc when the world registers no area', () => {
    expect(rejection([{ kind: 'cmaAlloc', area: 0, count: 1, align: 0 }], 0))
      .toBe('t.json: $.ops[0].area: the world registers no CMA area');
  });

  it('accepts a well-formed trace of every kind', () => {
    const ops = [
      { kind: 'alloc', order: 2, migratetype: 'MOVABLE' }, { kind: 'pin', target: 0 }, { kind: 'unpin', target: 0 },
      { kind: 'write', target: 0 }, { kind: 'check', target: 0 }, { kind: 'free', target: 0 },
      { kind: 'cmaAlloc', area: 0, count: 4, align: 1 }, { kind: 'cmaRelease', target: 6 },
      { kind: 'dmaAlloc', device: 0, size: 8192 }, { kind: 'dmaFree', target: 8 },
    ];
    expect(parseOps(new JsonReader('t.json', '$.ops', ops), { world, cmaAreaCount: 1 })).toEqual(ops);
  });
});
