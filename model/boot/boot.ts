/**
 * Boot, in the kernel's order (docs/MODEL.md "Boot"; kernel-semantics.md §7.1):
 * declaration phase (layout.ts) → memmap init (every pageblock MOVABLE, every page reserved) →
 * free_all_bootmem (freeAllBootmem.ts) → cma_init_reserved_areas (../cma.ts).
 */
import { MIGRATE_MOVABLE, MIGRATE_TYPES, type Migratetype } from '../../src/core/migratetype.ts';
import type { World } from '../../src/core/world.ts';
import { cmaInitReservedAreas } from '../cmaActivate.ts';
import { type ModelState, type Zone, OWNER_RESERVED } from '../state.ts';
import { freeAllBootmem } from './freeAllBootmem.ts';
import { type Layout, declareLayout } from './layout.ts';

/**
 * Mirrors the boot order of start_kernel() (kernel-semantics.md §7.1): the model state right
 * after core_initcall cma_init_reserved_areas().
 */
export function bootModel(world: World, layout: Layout = declareLayout(world)): ModelState {
  const state = memmapInit(world, layout);
  freeAllBootmem(state, layout.reserved);
  cmaInitReservedAreas(state);
  return state;
}

/**
 * Mirrors memmap_init_zone() (K4_9 mm/page_alloc.c): every pageblock starts MOVABLE and every
 * page PageReserved, with empty free lists, before memblock hands memory to the buddy.
 */
export function memmapInit(world: World, layout: Layout): ModelState {
  const pageblockCount = world.pages >> world.pageblockOrder;
  return {
    world,
    zones: world.zones.map((spec, index): Zone => ({
      index,
      name: spec.name,
      startPfn: spec.startPfn,
      endPfn: spec.endPfn,
      freeArea: Array.from({ length: world.maxOrder + 1 }, () => ({
        freeList: Array.from({ length: MIGRATE_TYPES }, () => []),
        nrFree: 0,
      })),
      nrFreePages: 0,
      nrFreeCmaPages: 0,
      nrIsolatePageblock: 0,
      managedPages: 0,
    })),
    pageblockMigratetype: new Array<Migratetype>(pageblockCount).fill(MIGRATE_MOVABLE),
    buddyOrder: new Array<number>(world.pages).fill(-1),
    owner: new Array<number>(world.pages).fill(OWNER_RESERVED),
    frameToken: new Array<number>(world.pages).fill(0),
    allocations: new Map(),
    cmaAreas: layout.areas.map((area) => ({
      name: area.name,
      basePfn: area.basePfn,
      count: area.count,
      declaredCount: area.count,
      orderPerBit: area.orderPerBit,
      bitmap: null,
      state: 'inactive',
    })),
    totalcmaPages: layout.areas.reduce((sum, area) => sum + area.count, 0),
    defaultArea: layout.defaultArea,
    deviceAreas: [...layout.deviceAreas],
    bootReport: {
      messages: [...layout.messages],
      declarations: [...layout.declarations],
      defaultArea: layout.defaultArea,
      deviceAreas: [...layout.deviceAreas],
    },
    stats: {},
  };
}
