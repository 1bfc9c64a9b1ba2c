/**
 * Every bound in one place, relationships asserted at load (STYLE G11).
 */
import { assert } from './assert.ts';

export const limits = {
  /** Largest world: 2^22 pages (16 GiB of 4 KiB pages), the impl's scale target. */
  pagesMax: 1 << 22,
  /** MAX_ORDER-1 of a real kernel; tiny worlds use less. */
  maxOrderMax: 10,
  zonesMax: 4,
  reservedRangesMax: 64,
  /** MAX_CMA_AREAS = 1 + CONFIG_CMA_AREAS; CONFIG_CMA_AREAS ranges 1..19 in mm/Kconfig. */
  cmaAreasConfigMax: 19,
  /** fdt reserved-memory: MAX_RESERVED_REGIONS in drivers/of/of_reserved_mem.c. */
  reservedRegionsMax: 16,
  devicesMax: 32,
  opsPerTraceMax: 100_000,
  /** COMPACT_CLUSTER_MAX — pages isolated per migration batch (mm/compaction.c). */
  compactClusterMax: 32,
  pageSize: 4096,
  pageShift: 12,
  /** Bytes of impl state per page at 2^22 pages (issue 4). */
  bytesPerPageMax: 16,
} as const;

assert(1 << limits.pageShift === limits.pageSize, 'pageShift and pageSize disagree');
assert(limits.pagesMax >= 1 << limits.maxOrderMax, 'the largest world must hold a max-order block');
