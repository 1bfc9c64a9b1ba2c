/**
 * impl/allocations.ts — the live allocations the ops act on (pages, CMA and DMA ranges), their
 * pins and data tokens. Mirrors the allocation records of the model's state and the kernel
 * objects they stand for: a struct page's owner, `get_user_pages(FOLL_LONGTERM)` pins and the
 * contents of page frames (docs/MODEL.md "Ops", kernel-semantics.md §12.5).
 *
 * Layout (STYLE G15):
 * - Records are a struct of typed arrays indexed by slot, with a stack of free slots; the table
 *   doubles when full, so its memory follows the number of *live* allocations (at most the
 *   trace length, limits.opsPerTraceMax), not the page count: RECORD_BYTES per slot.
 * - Per page frame nothing extra: while a frame is allocated the buddy's `next[pfn]` holds its
 *   owner slot and `prev[pfn]` its data token (the list links are unused then, impl/buddy.ts).
 *   A stale slot in a free frame is harmless: ownerAt() accepts a slot only if it is live and
 *   covers the pfn, and live allocations are disjoint, so that answer is exact.
 * - slotOfId maps a handle (the op's step) to its slot, an Int32Array grown by doubling.
 */
import { assert } from '../src/core/assert.ts';

export const KIND_PAGES = 0;
export const KIND_CMA = 1;
export const KIND_DMA = 2;
export const KIND_NAMES = ['pages', 'cma', 'dma'] as const;

/** Bytes per record slot: the arrays below plus the free-slot stack. */
export const RECORD_BYTES = 4 + 1 + 4 + 4 + 1 + 1 + 1 + 1 + 1 + 4 + 4 + 4;

export interface NewAllocation {
  id: number;
  kind: number;
  pfn: number;
  pageCount: number;
  order: number;
  migratetype: number;
  sourceList: number;
  area: number;
}

export class AllocationTable {
  capacity = 0;
  liveCount = 0;
  id = new Int32Array(0);
  kind = new Uint8Array(0);
  pfn = new Int32Array(0);
  /** 0 marks a free slot. */
  pageCount = new Int32Array(0);
  order = new Int8Array(0);
  migratetype = new Uint8Array(0);
  sourceList = new Int8Array(0);
  area = new Int8Array(0);
  pinned = new Uint8Array(0);
  pinnedPfn = new Int32Array(0);
  token = new Int32Array(0);
  private freeSlots = new Int32Array(0);
  private freeTop = 0;
  private slotOfId = new Int32Array(0);

  /**
   * @param owner  the buddy's `next` array (owner slot of each allocated frame)
   * @param frames the buddy's `prev` array (data token of each allocated frame)
   */
  constructor(
    private readonly owner: Int32Array,
    private readonly frames: Int32Array,
  ) {
    this.grow(64);
  }

  /** Records a new allocation, claims its frames and zeroes their tokens; returns its slot. */
  create(allocation: NewAllocation): number {
    if (this.freeTop === 0) this.grow(this.capacity * 2);
    const slot = this.freeSlots[--this.freeTop];
    this.id[slot] = allocation.id;
    this.kind[slot] = allocation.kind;
    this.pfn[slot] = allocation.pfn;
    this.pageCount[slot] = allocation.pageCount;
    this.order[slot] = allocation.order;
    this.migratetype[slot] = allocation.migratetype;
    this.sourceList[slot] = allocation.sourceList;
    this.area[slot] = allocation.area;
    this.pinned[slot] = 0;
    this.pinnedPfn[slot] = -1;
    this.token[slot] = 0;
    this.claimFrames(slot, allocation.pfn);
    this.frames.fill(0, allocation.pfn, allocation.pfn + allocation.pageCount);
    this.mapId(allocation.id, slot);
    this.liveCount++;
    return slot;
  }

  /** Forgets an allocation; its frames keep stale owner/token values (see header). */
  release(slot: number): void {
    assert(this.pageCount[slot] > 0, `AllocationTable.release: slot ${slot} is not live`);
    this.slotOfId[this.id[slot]] = -1;
    this.pageCount[slot] = 0;
    this.freeSlots[this.freeTop++] = slot;
    this.liveCount--;
  }

  /** The slot of the allocation with handle `id`, or -1. */
  slotOf(id: number): number {
    return id >= 0 && id < this.slotOfId.length ? this.slotOfId[id] : -1;
  }

  /** The live allocation holding page frame `pfn`, or -1 (free, reserved, or never owned). */
  ownerAt(pfn: number): number {
    const slot = this.owner[pfn];
    if (slot < 0 || slot >= this.capacity) return -1;
    const start = this.pfn[slot];
    return pfn >= start && pfn < start + this.pageCount[slot] ? slot : -1;
  }

  /** Points the frames [pfn, pfn + pageCount) at `slot`. */
  claimFrames(slot: number, pfn: number): void {
    this.owner.fill(slot, pfn, pfn + this.pageCount[slot]);
  }

  /** Moves an allocation to `targetPfn`, copying its frames' tokens (migration). */
  moveTo(slot: number, targetPfn: number): void {
    const sourcePfn = this.pfn[slot];
    const pageCount = this.pageCount[slot];
    this.frames.copyWithin(targetPfn, sourcePfn, sourcePfn + pageCount);
    this.pfn[slot] = targetPfn;
    this.claimFrames(slot, targetPfn);
  }

  /** `write`: the token in the record and in every frame. */
  write(slot: number, token: number): void {
    this.token[slot] = token;
    this.frames.fill(token, this.pfn[slot], this.pfn[slot] + this.pageCount[slot]);
  }

  /** The common token of the allocation's frames, or -1 when they differ. */
  frameToken(slot: number): number {
    const start = this.pfn[slot];
    const end = start + this.pageCount[slot];
    const first = this.frames[start];
    for (let pfn = start + 1; pfn < end; pfn++) if (this.frames[pfn] !== first) return -1;
    return first;
  }

  /** Live slots sorted by id. */
  liveSlotsById(): number[] {
    const slots: number[] = [];
    for (let slot = 0; slot < this.capacity; slot++) if (this.pageCount[slot] > 0) slots.push(slot);
    return slots.sort((a, b) => this.id[a] - this.id[b]);
  }

  /** Bytes held by the records (for stateBytes()). */
  byteLength(): number {
    return this.capacity * RECORD_BYTES + this.slotOfId.byteLength;
  }

  private mapId(id: number, slot: number): void {
    assert(Number.isSafeInteger(id) && id >= 0, `AllocationTable: bad allocation id ${id}`);
    if (id >= this.slotOfId.length) {
      const grown = new Int32Array(Math.max(64, 2 ** Math.ceil(Math.log2(id + 1)))).fill(-1);
      grown.set(this.slotOfId);
      this.slotOfId = grown;
    }
    assert(this.slotOfId[id] === -1, `AllocationTable: allocation id ${id} is already live`);
    this.slotOfId[id] = slot;
  }

  private grow(capacity: number): void {
    const old = this.capacity;
    this.id = resize(this.id, capacity, Int32Array);
    this.kind = resize(this.kind, capacity, Uint8Array);
    this.pfn = resize(this.pfn, capacity, Int32Array);
    this.pageCount = resize(this.pageCount, capacity, Int32Array);
    this.order = resize(this.order, capacity, Int8Array);
    this.migratetype = resize(this.migratetype, capacity, Uint8Array);
    this.sourceList = resize(this.sourceList, capacity, Int8Array);
    this.area = resize(this.area, capacity, Int8Array);
    this.pinned = resize(this.pinned, capacity, Uint8Array);
    this.pinnedPfn = resize(this.pinnedPfn, capacity, Int32Array);
    this.token = resize(this.token, capacity, Int32Array);
    this.freeSlots = resize(this.freeSlots, capacity, Int32Array);
    // Fresh slots are pushed so that the lowest is popped first.
    for (let slot = capacity - 1; slot >= old; slot--) this.freeSlots[this.freeTop++] = slot;
    this.capacity = capacity;
  }
}

type TypedArray = Int32Array | Uint8Array | Int8Array;

function resize<T extends TypedArray>(
  array: T, length: number, Type: new (length: number) => T,
): T {
  const grown = new Type(length);
  grown.set(array);
  return grown;
}
