/**
 * Reading ops from untrusted JSON and checking them against the world they run on: an order out
 * of range, an unknown migratetype, an area or device that does not exist, a target that does not
 * name an earlier op — each an InputError naming the file, the JSON path and the reason.
 */
import { JsonReader } from './json.ts';
import { limits } from './limits.ts';
import { REQUEST_MIGRATETYPE_NAMES } from './migratetype.ts';
import { type Op, OP_KINDS, createdKind } from './op.ts';
import type { World } from './world.ts';

/** What ops are checked against: the world and how many CMA areas it registered at boot. */
export interface OpBounds {
  world: World;
  cmaAreaCount: number;
}

export function parseOps(reader: JsonReader, bounds: OpBounds): Op[] {
  const items = reader.items();
  if (items.length > limits.opsPerTraceMax)
    reader.fail(`at most ${limits.opsPerTraceMax} ops, got ${items.length}`);
  const ops: Op[] = [];
  items.forEach((item, index) => ops.push(parseOp(item, index, ops, bounds)));
  return ops;
}

function parseTarget(reader: JsonReader, index: number, earlier: readonly Op[]): number {
  if (index === 0) reader.fail('the first op has no earlier op to target');
  const target = reader.integer(0, index - 1, 'index of an earlier op');
  if (createdKind(earlier[target]) === null) {
    reader.fail(`op ${target} does not create an allocation (${earlier[target].kind})`);
  }
  return target;
}

export function parseOp(
  reader: JsonReader,
  index: number,
  earlier: readonly Op[],
  bounds: OpBounds,
): Op {
  const { world } = bounds;
  const kind = reader.field('kind').oneOf(OP_KINDS);
  const field = (name: string): JsonReader => reader.field(name);
  switch (kind) {
    case 'alloc':
      reader.onlyKeys(['kind', 'order', 'migratetype']);
      return {
        kind,
        order: field('order').integer(0, world.maxOrder, 'maxOrder'),
        migratetype: field('migratetype').oneOf(REQUEST_MIGRATETYPE_NAMES),
      };
    case 'cmaAlloc':
      reader.onlyKeys(['kind', 'area', 'count', 'align']);
      if (bounds.cmaAreaCount === 0) field('area').fail('the world registers no CMA area');
      return {
        kind,
        area: field('area').integer(0, bounds.cmaAreaCount - 1, 'registered CMA areas'),
        count: field('count').integer(0, world.pages, 'pages'),
        align: field('align').integer(0, 31, 'order'),
      };
    case 'dmaAlloc':
      reader.onlyKeys(['kind', 'device', 'size']);
      if (world.devices.length === 0) field('device').fail('the world declares no device');
      return {
        kind,
        device: field('device').integer(0, world.devices.length - 1, 'world devices'),
        size: field('size').integer(1, world.pages * limits.pageSize, 'bytes'),
      };
    default:
      reader.onlyKeys(['kind', 'target']);
      return { kind, target: parseTarget(field('target'), index, earlier) };
  }
}
