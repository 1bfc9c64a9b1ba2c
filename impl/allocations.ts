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
import { AssertionError, assert } from '../src/core/assert.ts';

export const KIND_PAGES = 0;
export const KIND_CMA = 1;
export const KIND_DMA = 2;
export const KIND_NAMES = ['pages', 'cma', 'dma'] as const;

/** Bytes per record slot: the arrays below plus the free-slot stack. */
export const RECORD_BYTES = 4 + 1 + 4 + 4 + 1 + 1 + 1 + 1 + 1 + 4 + 4 + 4;

/** A copy of the table (AllocationTable.save()), for BuddyCore.saveState(). */
export interface TableState {
  readonly capacity: number;
  readonly liveCount: number;
  readonly freeTop: number;
  readonly id: Int32Array;
  readonly kind: Uint8Array;
  readonly pfn: Int32Array;
  readonly pageCount: Int32Array;
  readonly order: Int8Array;
  readonly migratetype: Uint8Array;
  readonly sourceList: Int8Array;
  readonly area: Int8Array;
  readonly pinned: Uint8Array;
  readonly pinnedPfn: Int32Array;
  readonly token: Int32Array;
  readonly freeSlots: Int32Array;
  readonly slotOfId: Int32Array;
}

export class AllocationTable {
  capacity = 0;
  liveCount = 0;
  id: Int32Array = new Int32Array(0);
  kind: Uint8Array = new Uint8Array(0);
  pfn: Int32Array = new Int32Array(0);
  /** 0 marks a free slot. */
  pageCount: Int32Array = new Int32Array(0);
  order: Int8Array = new Int8Array(0);
  migratetype: Uint8Array = new Uint8Array(0);
  sourceList: Int8Array = new Int8Array(0);
  area: Int8Array = new Int8Array(0);
  pinned: Uint8Array = new Uint8Array(0);
  pinnedPfn: Int32Array = new Int32Array(0);
  token: Int32Array = new Int32Array(0);
  private freeSlots: Int32Array = new Int32Array(0);
  private freeTop = 0;
  private slotOfId: Int32Array = new Int32Array(0);

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

  /**
   * Records a new allocation, claims its frames and zeroes their tokens; returns its slot.
   * Speed: positional arguments (no object per allocation) and one loop over the frames
   * instead of two TypedArray.fill() calls, whose call overhead exceeds a short loop.
   */
  create(
    id: number, kind: number, pfn: number, pageCount: number, order: number,
    migratetype: number, sourceList: number, area: number,
  ): number {
    if (this.freeTop === 0) this.grow(this.capacity * 2);
    const slot = this.freeSlots[--this.freeTop];
    this.id[slot] = id;
    this.kind[slot] = kind;
    this.pfn[slot] = pfn;
    this.pageCount[slot] = pageCount;
    this.order[slot] = order;
    this.migratetype[slot] = migratetype;
    this.sourceList[slot] = sourceList;
    this.area[slot] = area;
    this.pinned[slot] = 0;
    this.pinnedPfn[slot] = -1;
    this.token[slot] = 0;
    const owner = this.owner;
    const frames = this.frames;
    for (let frame = pfn; frame < pfn + pageCount; frame++) {
      owner[frame] = slot;
      frames[frame] = 0;
    }
    this.mapId(id, slot);
    this.liveCount++;
    return slot;
  }

  /** Forgets an allocation; its frames keep stale owner/token values (see header). */
  release(slot: number): void {
    if (this.pageCount[slot] <= 0) fail(`AllocationTable.release: slot ${slot} is not live`);
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

  /** Copies the data tokens of `pageCount` frames from `sourcePfn` to `targetPfn`. */
  copyFrames(targetPfn: number, sourcePfn: number, pageCount: number): void {
    this.frames.copyWithin(targetPfn, sourcePfn, sourcePfn + pageCount);
  }

  /** Moves an allocation's record and frame ownership to `targetPfn` (migration). */
  moveTo(slot: number, targetPfn: number): void {
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

  /** A copy of every record (the frames live in the buddy's arrays, copied with them). */
  save(): TableState {
    return {
      capacity: this.capacity, liveCount: this.liveCount, freeTop: this.freeTop,
      id: this.id.slice(), kind: this.kind.slice(), pfn: this.pfn.slice(),
      pageCount: this.pageCount.slice(), order: this.order.slice(),
      migratetype: this.migratetype.slice(), sourceList: this.sourceList.slice(),
      area: this.area.slice(), pinned: this.pinned.slice(), pinnedPfn: this.pinnedPfn.slice(),
      token: this.token.slice(), freeSlots: this.freeSlots.slice(),
      slotOfId: this.slotOfId.slice(),
    };
  }

  /** Puts back a copy taken by save(), reusing the arrays when their sizes match. */
  restore(state: TableState): void {
    this.capacity = state.capacity;
    this.liveCount = state.liveCount;
    this.freeTop = state.freeTop;
    this.id = copyInto(this.id, state.id);
    this.kind = copyInto(this.kind, state.kind);
    this.pfn = copyInto(this.pfn, state.pfn);
    this.pageCount = copyInto(this.pageCount, state.pageCount);
    this.order = copyInto(this.order, state.order);
    this.migratetype = copyInto(this.migratetype, state.migratetype);
    this.sourceList = copyInto(this.sourceList, state.sourceList);
    this.area = copyInto(this.area, state.area);
    this.pinned = copyInto(this.pinned, state.pinned);
    this.pinnedPfn = copyInto(this.pinnedPfn, state.pinnedPfn);
    this.token = copyInto(this.token, state.token);
    this.freeSlots = copyInto(this.freeSlots, state.freeSlots);
    this.slotOfId = copyInto(this.slotOfId, state.slotOfId);
  }

  private mapId(id: number, slot: number): void {
    if (!(id >= 0 && id < this.slotOfId.length)) this.growIds(id);
    // A handle is an op's step: unique, so its entry must be free (asserted without building
    // the message on the hot path).
    if (this.slotOfId[id] !== -1) fail(`AllocationTable: allocation id ${id} is already live`);
    this.slotOfId[id] = slot;
  }

  private growIds(id: number): void {
    assert(Number.isSafeInteger(id) && id >= 0, `AllocationTable: bad allocation id ${id}`);
    const grown = new Int32Array(Math.max(64, 2 ** Math.ceil(Math.log2(id + 1)))).fill(-1);
    grown.set(this.slotOfId);
    this.slotOfId = grown;
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

/** `saved` copied into `live` when both have its length, else a fresh copy of it. */
function copyInto<T extends TypedArray>(live: T, saved: T): T {
  if (live.length !== saved.length) return saved.slice() as T;
  live.set(saved);
  return live;
}

/** Throws an AssertionError; callers test first, so no message is built on the hot path. */
function fail(message: string): never {
  throw new AssertionError(message);
}

function resize<T extends TypedArray>(
  array: T, length: number, Type: new (length: number) => T,
): T {
  const grown = new Type(length);
  grown.set(array);
  return grown;
}
