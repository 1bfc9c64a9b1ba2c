/**
 * The inverse of parseWorld: a World written back in its input JSON form (device-tree property
 * names, defaults spelled out), so that corpus files carry the whole world and
 * parseWorld(worldToJson(world)) equals world.
 */
import type { Json } from './json.ts';
import type { ReservedMemoryNode, World } from './world.ts';

function nodeToJson(node: ReservedMemoryNode): Json {
  const json: { [key: string]: Json } = {
    name: node.name,
    compatible: node.compatible,
    status: node.status,
    reusable: node.reusable,
    'no-map': node.noMap,
    'linux,cma-default': node.linuxCmaDefault,
  };
  if (node.reg !== null) json.reg = [...node.reg];
  if (node.size !== null) json.size = node.size;
  if (node.alignment !== null) json.alignment = node.alignment;
  if (node.allocRanges.length > 0)
    json['alloc-ranges'] = node.allocRanges.map((range) => [...range]);
  return json;
}

export function worldToJson(world: World): { [key: string]: Json } {
  return {
    name: world.name,
    profile: world.profile,
    pages: world.pages,
    maxOrder: world.maxOrder,
    pageblockOrder: world.pageblockOrder,
    zones: world.zones.map((zone) => ({
      name: zone.name,
      startPfn: zone.startPfn,
      endPfn: zone.endPfn,
    })),
    reserved: world.reserved.map((range) => ({ startPfn: range.startPfn, endPfn: range.endPfn })),
    cmdline: world.cmdline,
    reservedMemory: world.reservedMemory.map(nodeToJson),
    cma: world.cma.map((area) => ({ ...area })),
    devices: world.devices.map((device): Json =>
      device.memoryRegion === null
        ? { name: device.name }
        : { name: device.name, 'memory-region': device.memoryRegion },
    ),
    kconfig: { ...world.kconfig },
    dmaLimitPfn: world.dmaLimitPfn,
    pcp: world.pcp,
    mobilityGroupingDisabled: world.mobilityGroupingDisabled,
  };
}
