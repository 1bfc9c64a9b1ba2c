/**
 * The declaration phase of boot (docs/MODEL.md "Boot", steps 1-5): memblock, `cma=`, device-tree
 * reserved-memory, explicit cma_declare_contiguous() calls and dma_contiguous_reserve(). Its
 * result, the Layout, is the world as the kernel resolved it before the buddy allocator exists;
 * model and impl both build their buddy state from it.
 */
import type { CmaSource, Declaration } from '../../src/core/allocator.ts';
import type { Pfn, PfnRange, World } from '../../src/core/world.ts';

/** An entry of cma_areas[] after cma_init_reserved_mem(). */
export interface RegisteredArea {
  name: string;
  basePfn: Pfn;
  count: number;
  orderPerBit: number;
  source: CmaSource;
}

export interface Layout {
  /** memblock.reserved at free_all_bootmem time (CMA areas included), sorted by startPfn. */
  reserved: PfnRange[];
  /** cma_areas[0..cma_area_count). */
  areas: RegisteredArea[];
  /** Every reservation attempt, in the order the kernel makes them. */
  declarations: Declaration[];
  defaultArea: number | null;
  deviceAreas: (number | null)[];
  /** Kernel log lines of the declaration phase. */
  messages: string[];
}

/** Runs the declaration phase. (Minimal form: fixed explicit areas only, until boot lands.) */
export function declareLayout(world: World): Layout {
  const areas: RegisteredArea[] = world.cma.map((declaration) => ({
    name: declaration.name,
    basePfn: declaration.base,
    count: declaration.size,
    orderPerBit: declaration.orderPerBit,
    source: 'explicit' as const,
  }));
  const reserved = [
    ...world.reserved,
    ...areas.map((area) => ({ startPfn: area.basePfn, endPfn: area.basePfn + area.count })),
  ].sort((a, b) => a.startPfn - b.startPfn);
  return {
    reserved,
    areas,
    declarations: areas.map((area, index) => ({
      source: 'explicit', name: area.name, ok: true, area: index, errno: null,
    })),
    defaultArea: null,
    deviceAreas: world.devices.map(() => null),
    messages: [],
  };
}
