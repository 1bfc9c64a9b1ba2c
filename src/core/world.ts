/**
 * The world: the machine being simulated, as plain JSON (DESIGN.md "The world"), and its
 * validation. A world that cmacheck cannot represent is an InputError naming the field; a world
 * the *kernel* would boot with errors (a misaligned `cma=`, an area spanning zones) is accepted
 * and boots the way the kernel does, reporting what failed.
 *
 * Units: pfns and page counts everywhere, except where the kernel itself takes bytes — the
 * `cma=` command line and device-tree `reserved-memory` properties.
 */
import { JsonReader } from './json.ts';
import { limits } from './limits.ts';

export const PROFILES = ['K4_9', 'K6_1'] as const;
export type Profile = (typeof PROFILES)[number];
/** Profiles the model and impl both implement, so the harness can run them (issue 7). */
export const SUPPORTED_PROFILES: readonly Profile[] = ['K4_9', 'K6_1'];
/** Profiles the reference model implements. */
export const MODEL_PROFILES: readonly Profile[] = ['K4_9', 'K6_1'];

export type Pfn = number;

export interface PfnRange {
  startPfn: Pfn;
  endPfn: Pfn;
}

export interface ZoneSpec extends PfnRange {
  name: string;
}

/**
 * A cma_declare_contiguous() call made by platform code (arch or board setup), in pages:
 * `base` 0 means "anywhere below `limit`", `limit` 0 means "end of memory", `alignment` 0 means
 * the CMA minimum. It runs after device-tree reserved-memory and before the `cma=` area.
 */
export interface CmaDeclaration {
  name: string;
  base: Pfn;
  size: number;
  limit: Pfn;
  alignment: number;
  orderPerBit: number;
  fixed: boolean;
}

/** A child of the device tree's /reserved-memory node. Sizes and addresses in bytes. */
export interface ReservedMemoryNode {
  name: string;
  compatible: string;
  status: 'okay' | 'disabled';
  reusable: boolean;
  noMap: boolean;
  linuxCmaDefault: boolean;
  /** `reg = <base size>` (first entry only, as K4_9 saves it). */
  reg: [number, number] | null;
  /** `size = <n>` of a dynamically placed node. */
  size: number | null;
  alignment: number | null;
  allocRanges: [number, number][];
}

export interface DeviceSpec {
  name: string;
  /** Name of a reserved-memory node referenced by `memory-region`, or null for the default area. */
  memoryRegion: string | null;
}

/** The Kconfig options that decide the default CMA area and DMA alignment (§7.5). */
export interface Kconfig {
  cmaSizeMbytes: number;
  cmaSizePercentage: number;
  cmaSizeSel: 'mbytes' | 'percentage' | 'min' | 'max';
  cmaAlignment: number;
  cmaAreas: number;
}

export interface World {
  name: string;
  profile: Profile;
  pages: number;
  maxOrder: number;
  pageblockOrder: number;
  zones: ZoneSpec[];
  reserved: PfnRange[];
  cmdline: string;
  reservedMemory: ReservedMemoryNode[];
  cma: CmaDeclaration[];
  devices: DeviceSpec[];
  kconfig: Kconfig;
  /** The arch DMA limit passed to dma_contiguous_reserve (arm64_dma_phys_limit), as a pfn. */
  dmaLimitPfn: Pfn;
  pcp: 'off';
  /** page_group_by_mobility_disabled; computed from the page count unless given. */
  mobilityGroupingDisabled: boolean;
}

/** x86 defaults: no Kconfig CMA area unless asked for (CMA_SIZE_MBYTES is 0 on X86). */
export const DEFAULT_KCONFIG: Kconfig = {
  cmaSizeMbytes: 0,
  cmaSizePercentage: 0,
  cmaSizeSel: 'mbytes',
  cmaAlignment: 8,
  cmaAreas: 7,
};

export function pageblockPages(world: Pick<World, 'pageblockOrder'>): number {
  return 1 << world.pageblockOrder;
}

/**
 * page_group_by_mobility_disabled is set when the zones' managed pages are fewer than
 * pageblock_nr_pages * MIGRATE_TYPES (build_all_zonelists, §1.4 rule 4). The page count stands in
 * for the kernel's managed-page estimate (§12.9).
 */
export function defaultMobilityGroupingDisabled(pages: number, pageblockOrder: number): boolean {
  return pages < (1 << pageblockOrder) * 6;
}
