/**
 * get_order(size) — include/asm-generic/getorder.h: the smallest order whose 2^order pages hold
 * `size` bytes. Kernel arithmetic, like the migratetype tables: shared, not an algorithm under test.
 */
import { limits } from './limits.ts';

export function getOrder(size: number): number {
  const pages = Math.ceil(size / limits.pageSize);
  let order = 0;
  while (1 << order < pages) order++;
  return order;
}
