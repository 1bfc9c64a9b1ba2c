/**
 * Reading and validating a world from untrusted JSON. Every rejection is an InputError that
 * names the file, the JSON path and the reason. Defaults follow DESIGN.md: one zone spanning all
 * pages, profile K4_9, pcp off.
 */
import { JsonReader } from './json.ts';
import { limits } from './limits.ts';
import {
  type CmaDeclaration,
  type DeviceSpec,
  type Kconfig,
  type PfnRange,
  type ReservedMemoryNode,
  type World,
  type ZoneSpec,
  DEFAULT_KCONFIG,
  PROFILES,
  defaultMobilityGroupingDisabled,
} from './world.ts';

const WORLD_KEYS = [
  'name',
  'profile',
  'pages',
  'maxOrder',
  'pageblockOrder',
  'zones',
  'reserved',
  'cmdline',
  'reservedMemory',
  'cma',
  'devices',
  'kconfig',
  'dmaLimitPfn',
  'pcp',
  'mobilityGroupingDisabled',
] as const;

/** Parses a world object; `file` names its source in errors ("<world>" when built in code). */
export function parseWorld(value: unknown, file = '<world>', path = '$'): World {
  const reader = new JsonReader(file, path, value);
  reader.onlyKeys(WORLD_KEYS);
  const profile = reader.field('profile').isMissing()
    ? 'K4_9'
    : reader.field('profile').oneOf(PROFILES);
  const maxOrder = reader
    .field('maxOrder')
    .integerOr(limits.maxOrderMax, 0, limits.maxOrderMax, 'MAX_ORDER-1');
  const pageblockOrder = reader
    .field('pageblockOrder')
    .integerOr(maxOrder, 0, maxOrder, 'pageblock order ≤ maxOrder');
  const pageblock = 1 << pageblockOrder;
  const pages = reader.field('pages').integer(pageblock, limits.pagesMax, 'page frames');
  if (pages % pageblock !== 0) {
    reader
      .field('pages')
      .fail(`expected a multiple of the pageblock size ${pageblock}, got ${pages}`);
  }
  const zones = parseZones(reader.field('zones'), pages, pageblock);
  const kconfig = parseKconfig(reader.field('kconfig'));
  const reservedMemory = parseReservedMemory(reader.field('reservedMemory'));
  return {
    name: reader.field('name').stringOr('world'),
    profile,
    pages,
    maxOrder,
    pageblockOrder,
    zones,
    reserved: parseReserved(reader.field('reserved'), pages),
    cmdline: reader.field('cmdline').stringOr(''),
    reservedMemory,
    cma: parseCmaDeclarations(reader.field('cma'), pages, maxOrder),
    devices: parseDevices(reader.field('devices'), reservedMemory),
    kconfig,
    dmaLimitPfn: reader
      .field('dmaLimitPfn')
      .integerOr(zones.length > 1 ? zones[0].endPfn : pages, 1, pages, 'pfn'),
    pcp: reader.field('pcp').isMissing() ? 'off' : reader.field('pcp').oneOf(['off'] as const),
    mobilityGroupingDisabled: reader
      .field('mobilityGroupingDisabled')
      .booleanOr(defaultMobilityGroupingDisabled(pages, pageblockOrder)),
  };
}

function parseZones(reader: JsonReader, pages: number, pageblock: number): ZoneSpec[] {
  if (reader.isMissing()) return [{ name: 'Normal', startPfn: 0, endPfn: pages }];
  const items = reader.items();
  if (items.length < 1 || items.length > limits.zonesMax) {
    reader.fail(`expected 1..${limits.zonesMax} zones, got ${items.length}`);
  }
  const zones: ZoneSpec[] = [];
  let expectedStart = 0;
  for (const item of items) {
    item.onlyKeys(['name', 'startPfn', 'endPfn']);
    const name = item.field('name').string();
    if (zones.some((zone) => zone.name === name))
      item.field('name').fail(`duplicate zone name '${name}'`);
    const startPfn = item.field('startPfn').integer(0, pages, 'pfn');
    if (startPfn !== expectedStart) {
      item
        .field('startPfn')
        .fail(`zones must be contiguous and ordered: expected ${expectedStart}, got ${startPfn}`);
    }
    const endPfn = item.field('endPfn').integer(startPfn + 1, pages, 'pfn past the zone');
    if (endPfn % pageblock !== 0) {
      item
        .field('endPfn')
        .fail(`expected a multiple of the pageblock size ${pageblock}, got ${endPfn}`);
    }
    zones.push({ name, startPfn, endPfn });
    expectedStart = endPfn;
  }
  if (expectedStart !== pages) {
    items[items.length - 1]
      .field('endPfn')
      .fail(`the last zone must end at pages (${pages}), got ${expectedStart}`);
  }
  return zones;
}

function parseRange(reader: JsonReader, pages: number): PfnRange {
  reader.onlyKeys(['startPfn', 'endPfn']);
  const startPfn = reader.field('startPfn').integer(0, pages - 1, 'pfn');
  const endPfn = reader.field('endPfn').integer(startPfn + 1, pages, 'pfn past the range');
  return { startPfn, endPfn };
}

function parseReserved(reader: JsonReader, pages: number): PfnRange[] {
  if (reader.isMissing()) return [];
  const items = reader.items();
  if (items.length > limits.reservedRangesMax)
    reader.fail(`at most ${limits.reservedRangesMax} ranges`);
  const ranges = items.map((item) => parseRange(item, pages));
  ranges.forEach((range, index) => {
    const other = ranges.findIndex(
      (r, i) => i !== index && r.startPfn < range.endPfn && range.startPfn < r.endPfn,
    );
    if (other >= 0) items[index].fail(`overlaps reserved[${other}]`);
  });
  return ranges;
}

function parseCmaDeclarations(
  reader: JsonReader,
  pages: number,
  maxOrder: number,
): CmaDeclaration[] {
  if (reader.isMissing()) return [];
  const items = reader.items();
  const declarations = items.map((item, index): CmaDeclaration => {
    item.onlyKeys(['name', 'base', 'size', 'limit', 'alignment', 'orderPerBit', 'fixed']);
    const size = item.field('size').integer(1, pages, 'pages');
    const base = item.field('base').integerOr(0, 0, pages - 1, 'pfn; 0 = anywhere');
    const fixed = item.field('fixed').booleanOr(base !== 0);
    if (fixed && base + size > pages) {
      item.field('size').fail(`area [${base}, ${base + size}) lies outside memory [0, ${pages})`);
    }
    return {
      name: item.field('name').stringOr(`cma${index}`),
      base,
      size,
      limit: item.field('limit').integerOr(0, 0, pages, 'pfn; 0 = end of memory'),
      alignment: item.field('alignment').integerOr(0, 0, pages, 'pages; 0 = CMA minimum'),
      orderPerBit: item.field('orderPerBit').integerOr(0, 0, maxOrder, 'order_per_bit ≤ maxOrder'),
      fixed,
    };
  });
  declarations.forEach((area, index) => {
    if (!area.fixed) return;
    const other = declarations.findIndex(
      (b, i) =>
        i !== index && b.fixed && b.base < area.base + area.size && area.base < b.base + b.size,
    );
    if (other >= 0) items[index].fail(`overlaps cma[${other}]`);
  });
  return declarations;
}

const NODE_KEYS = [
  'name',
  'compatible',
  'status',
  'reusable',
  'no-map',
  'linux,cma-default',
  'reg',
  'size',
  'alignment',
  'alloc-ranges',
] as const;

function parseBytePair(reader: JsonReader): [number, number] {
  const items = reader.items();
  if (items.length !== 2)
    reader.fail(`expected [base, size] in bytes, got ${items.length} numbers`);
  return [
    items[0].integer(0, Number.MAX_SAFE_INTEGER, 'bytes'),
    items[1].integer(0, Number.MAX_SAFE_INTEGER, 'bytes'),
  ];
}

function parseReservedMemory(reader: JsonReader): ReservedMemoryNode[] {
  if (reader.isMissing()) return [];
  const items = reader.items();
  if (items.length > limits.reservedRegionsMax)
    reader.fail(`at most ${limits.reservedRegionsMax} nodes`);
  const nodes = items.map((item): ReservedMemoryNode => {
    item.onlyKeys(NODE_KEYS);
    const reg = item.field('reg');
    const size = item.field('size');
    const alignment = item.field('alignment');
    const allocRanges = item.field('alloc-ranges');
    return {
      name: item.field('name').string(),
      compatible: item.field('compatible').stringOr('shared-dma-pool'),
      status: item.field('status').isMissing()
        ? 'okay'
        : item.field('status').oneOf(['okay', 'disabled'] as const),
      reusable: item.field('reusable').booleanOr(false),
      noMap: item.field('no-map').booleanOr(false),
      linuxCmaDefault: item.field('linux,cma-default').booleanOr(false),
      reg: reg.isMissing() ? null : parseBytePair(reg),
      size: size.isMissing() ? null : size.integer(0, Number.MAX_SAFE_INTEGER, 'bytes'),
      alignment: alignment.isMissing()
        ? null
        : alignment.integer(0, Number.MAX_SAFE_INTEGER, 'bytes'),
      allocRanges: allocRanges.isMissing() ? [] : allocRanges.items().map(parseBytePair),
    };
  });
  return nodes;
}

function parseDevices(reader: JsonReader, nodes: readonly ReservedMemoryNode[]): DeviceSpec[] {
  if (reader.isMissing()) return [];
  const items = reader.items();
  if (items.length > limits.devicesMax) reader.fail(`at most ${limits.devicesMax} devices`);
  const devices: DeviceSpec[] = [];
  for (const item of items) {
    item.onlyKeys(['name', 'memory-region']);
    const name = item.field('name').string();
    if (devices.some((device) => device.name === name))
      item.field('name').fail(`duplicate device name '${name}'`);
    const region = item.field('memory-region');
    const memoryRegion = region.isMissing() ? null : region.string();
    if (memoryRegion !== null && !nodes.some((node) => node.name === memoryRegion)) {
      region.fail(`no reserved-memory node named '${memoryRegion}'`);
    }
    devices.push({ name, memoryRegion });
  }
  return devices;
}

function parseKconfig(reader: JsonReader): Kconfig {
  if (reader.isMissing()) return { ...DEFAULT_KCONFIG };
  reader.onlyKeys(['cmaSizeMbytes', 'cmaSizePercentage', 'cmaSizeSel', 'cmaAlignment', 'cmaAreas']);
  return {
    cmaSizeMbytes: reader
      .field('cmaSizeMbytes')
      .integerOr(DEFAULT_KCONFIG.cmaSizeMbytes, 0, 1 << 20, 'MiB'),
    cmaSizePercentage: reader
      .field('cmaSizePercentage')
      .integerOr(DEFAULT_KCONFIG.cmaSizePercentage, 0, 100, '%'),
    cmaSizeSel: reader.field('cmaSizeSel').isMissing()
      ? DEFAULT_KCONFIG.cmaSizeSel
      : reader.field('cmaSizeSel').oneOf(['mbytes', 'percentage', 'min', 'max'] as const),
    cmaAlignment: reader
      .field('cmaAlignment')
      .integerOr(DEFAULT_KCONFIG.cmaAlignment, 4, 12, 'CONFIG_CMA_ALIGNMENT'),
    cmaAreas: reader
      .field('cmaAreas')
      .integerOr(DEFAULT_KCONFIG.cmaAreas, 1, limits.cmaAreasConfigMax, 'CONFIG_CMA_AREAS'),
  };
}
