/**
 * A picture of one allocator state, the kernel way (/proc/buddyinfo, /proc/pagetypeinfo,
 * cma_debug_show_areas): free blocks per order and migratetype, a pageblock map, CMA areas.
 * Reads only a Snapshot, so it draws the model, the impl or any other Allocator alike.
 */
import { MIGRATETYPE_NAMES } from '../core/migratetype.ts';
import type { CmaAreaSnapshot, Snapshot, ZoneSnapshot } from '../core/snapshot.ts';
import { textTable } from './table.ts';

const KIB_PER_PAGE = 4;

export function formatPages(pages: number): string {
  const kib = pages * KIB_PER_PAGE;
  if (kib % (1024 * 1024) === 0) return `${kib / (1024 * 1024)} GiB`;
  if (kib % 1024 === 0) return `${kib / 1024} MiB`;
  return `${kib} KiB`;
}

/** Free blocks per order (rows) and migratetype (columns), like /proc/pagetypeinfo. */
export function renderFreeArea(zone: ZoneSnapshot): string[] {
  const rows = zone.freeLists.map((lists, order) => [
    order,
    zone.nrFree[order],
    ...lists.map((list) => list.length),
  ]);
  return textTable(['order', 'nr_free', ...MIGRATETYPE_NAMES], rows);
}

/**
 * One character per pageblock: its migratetype letter, upper case when at least half of it is
 * free, lower case otherwise; `r` for a wholly reserved block. Zone boundaries are drawn as `|`.
 */
export function renderPageblockMap(snapshot: Snapshot): string {
  const blockPages = 1 << snapshot.pageblockOrder;
  const free = new Uint32Array(snapshot.pageblocks.length);
  for (const zone of snapshot.zones) {
    zone.freeLists.forEach((lists, order) => {
      for (const list of lists) for (const pfn of list) addPages(free, pfn, order, blockPages);
    });
  }
  const reserved = new Uint32Array(snapshot.pageblocks.length);
  for (const range of snapshot.reserved) {
    for (let pfn = range.startPfn; pfn < range.endPfn; pfn++)
      reserved[Math.floor(pfn / blockPages)]++;
  }
  const boundaries = new Set(snapshot.zones.slice(1).map((zone) => zone.startPfn / blockPages));
  let map = '';
  for (let block = 0; block < snapshot.pageblocks.length; block++) {
    if (boundaries.has(block)) map += '|';
    const letter = snapshot.pageblocks[block];
    if (reserved[block] === blockPages) map += 'r';
    else map += free[block] * 2 >= blockPages ? letter : letter.toLowerCase();
  }
  return map;
}

function addPages(free: Uint32Array, pfn: number, order: number, blockPages: number): void {
  for (let page = pfn; page < pfn + (1 << order); page++) free[Math.floor(page / blockPages)]++;
}

export function renderCmaArea(area: CmaAreaSnapshot, index: number): string {
  const maxchunk = area.maxchunk === null ? 'hangs' : String(area.maxchunk);
  return (
    `  #${index} ${area.name}: base_pfn ${area.basePfn} count ${area.count} ` +
    `order_per_bit ${area.orderPerBit} ${area.state}, used ${area.used} maxchunk ${maxchunk}`
  );
}

export function renderState(snapshot: Snapshot): string {
  const lines: string[] = [];
  for (const zone of snapshot.zones) {
    lines.push(
      `zone ${zone.name} [${zone.startPfn}, ${zone.endPfn}): managed ${zone.managedPages}` +
        ` · NR_FREE_PAGES ${zone.nrFreePages} · NR_FREE_CMA_PAGES ${zone.nrFreeCmaPages}`,
    );
    lines.push(...renderFreeArea(zone));
  }
  const blockPages = 1 << snapshot.pageblockOrder;
  lines.push(`pageblocks (${blockPages} pages each; upper case ≥ half free, r reserved):`);
  lines.push(`  ${renderPageblockMap(snapshot)}`);
  lines.push(`cma areas (totalcma_pages ${snapshot.totalcmaPages}):`);
  if (snapshot.cma.length === 0) lines.push('  none');
  snapshot.cma.forEach((area, index) => lines.push(renderCmaArea(area, index)));
  return lines.join('\n');
}
