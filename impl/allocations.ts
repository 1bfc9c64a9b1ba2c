/**
 * impl/allocations.ts — the live allocations the ops act on (pages, CMA and DMA ranges), their
 * pins and data tokens. Mirrors the allocation records of the model's state and the kernel
 * objects they stand for: a struct page's owner, `get_user_pages(FOLL_LONGTERM)` pins and the
 * contents of page frames (docs/MODEL.md "Ops", kernel-semantics.md §12.5).
 *
 * Layout (STYLE G15):
 * - An allocation is known by its handle (the op's step, docs/MODEL.md "Ops"), and its record
 *   is indexed by it: two words per handle in `records`, [record word, first pfn], 0 while not
 *   live (grown memory needs no fill). The record word packs kind, order, migratetype, source
 *   list and an extras slot. A page allocation's record is complete in those 8 bytes, so a free
 *   of a random handle reads one cache line and writes the same one. Measured on the 2^18 trace
 *   of bench/differential.ts, as a loop of create()/release() around the buddy's fast path:
 *   the earlier 16-byte record per slot, found through the handle, took 15–25% longer, its
 *   line being a second random access per free.
 * - What only ranges and rarer ops need — a range's page count and area, pins, data tokens —
 *   sits in an extras slot (EXTRAS_BYTES): every range takes one at create(), a page allocation
 *   at its first pin or write. Free slots are a stack reused last-in first-out; the extras
 *   double when full, so their memory follows the ranges and pinned or written allocations
 *   live, and the handle map follows the trace length (HANDLE_BYTES per step).
 * - Per page frame nothing extra: while a frame is allocated the buddy's `next[pfn]` may hold
 *   its owner handle and `prev[pfn]` holds its data token (the list links are unused then,
 *   impl/buddy.ts). A page allocation marks only its head frame, as the kernel's tail pages
 *   point at their compound head: ownerAt() of a tail looks at the heads it could have, pfn
 *   aligned down order by order. Writing every frame of a block measured 7–15% of a trace of
 *   alloc/free ops at 2^18 pages (bench/differential.ts: a 1024-page block is 64 cache lines
 *   that no buddy step reads). CMA and DMA ranges, of any length and alignment, mark every
 *   frame. A stale mark in a frame (or a list link, while the frame is free) is harmless:
 *   ownerAt() accepts a handle only if it is live and covers the pfn, and live allocations
 *   are disjoint, so that answer is exact.
 */
import { AssertionError, assert } from '../src/core/assert.ts';

export const KIND_PAGES = 0;
export const KIND_CMA = 1;
export const KIND_DMA = 2;
export const KIND_NAMES = ['pages', 'cma', 'dma'] as const;

/**
 * The record word (file-local const enums: esbuild writes literals): kind + 1 (2 bits, so that
 * 0 means "not live"), order + 1 (4), migratetype (3), sourceList + 1 (3), then extras slot + 1
 * (the remaining 20 bits, read unsigned); order and sourceList are -1 for ranges.
 */
const enum T {
  KIND_MASK = 3, ORDER_SHIFT = 2, ORDER_MASK = 15, MT_SHIFT = 6, MT_MASK = 7, SOURCE_SHIFT = 9,
  SOURCE_MASK = 7, EXTRAS_SHIFT = 12, EXTRAS_LIMIT = 1 << 20,
}

/** Bytes per extras slot: page count, area, pinned, pinnedPfn, token, free-slot entry. */
export const EXTRAS_BYTES = 4 + 4 + 1 + 4 + 4 + 4;

/** Bytes per handle: the record's two words. */
export const HANDLE_BYTES = 8;

/**
 * A copy of the table (AllocationTable.saveInto()), for BuddyCore.saveState(): the counts here,
 * the arrays' bytes back to back in a buffer the caller owns, from `offset`.
 */
export interface TableState {
  readonly extrasCapacity: number;
  readonly liveCount: number;
  readonly freeTop: number;
  /** Length of the record map (it grows with the ids, apart from `extrasCapacity`). */
  readonly recordsLength: number;
  readonly offset: number;
  /** The saved bytes of each array, views into the caller's buffer (arrays() order). */
  readonly segments: readonly Uint8Array[];
}

export class AllocationTable {
  liveCount = 0;
  /** Extras slots (ranges, pinned or written page allocations); doubles when all are taken. */
  extrasCapacity = 0;
  /** Two words per handle: [record word, first pfn]; the record word is 0 while not live. */
  private records: Int32Array = new Int32Array(0);
  private pageCount: Int32Array = new Int32Array(0);
  private area: Int32Array = new Int32Array(0);
  private pinned: Uint8Array = new Uint8Array(0);
  private pinnedPfn: Int32Array = new Int32Array(0);
  private token: Int32Array = new Int32Array(0);
  private freeSlots: Int32Array = new Int32Array(0);
  private freeTop = 0;
  /** Byte views of arrays(), rebuilt when an array is replaced (state copies use them). */
  private byteViews: Uint8Array[] = [];

  /**
   * @param owner  the buddy's `next` array (owner handle of a page allocation's head frame and
   *               of every frame of a range)
   * @param frames the buddy's `prev` array (data token of each allocated frame)
   * @param maxOrder the largest order of a page allocation (how far ownerAt() looks for a head)
   */
  constructor(
    private readonly owner: Int32Array,
    private readonly frames: Int32Array,
    private readonly maxOrder: number,
  ) {
    this.growExtras(16);
    this.growIds(0); // room for the first 64 handles
  }

  /** One past the largest handle the record map can hold (live handles are below it). */
  get idLimit(): number {
    return this.records.length >> 1;
  }

  /**
   * Records a new allocation with handle `id` and claims its frames. The frames keep whatever
   * a previous owner left (the kernel zeroes nothing): with token 0 nothing reads them.
   * Speed: positional arguments (no object per allocation).
   */
  create(
    id: number, kind: number, pfn: number, pageCount: number, order: number,
    migratetype: number, sourceList: number, area: number,
  ): void {
    if (!(id >= 0 && id < this.records.length >> 1)) this.growIds(id);
    const at = id << 1;
    // A handle is an op's step: unique, so its record must be free (tested first, so that the
    // message is built only on failure).
    if (this.records[at] !== 0) {
      throw new AssertionError(`AllocationTable: allocation id ${id} is already live`);
    }
    let word = (kind + 1) | (order + 1) << T.ORDER_SHIFT | migratetype << T.MT_SHIFT
      | (sourceList + 1) << T.SOURCE_SHIFT;
    if (kind !== KIND_PAGES) {
      const slot = this.claimExtras();
      this.pageCount[slot] = pageCount;
      this.area[slot] = area;
      word |= (slot + 1) << T.EXTRAS_SHIFT;
    }
    this.records[at] = word;
    this.records[at + 1] = pfn;
    this.markFrames(id, kind, pfn, pageCount);
    this.liveCount++;
  }

  /** Forgets the allocation with handle `id`; its frames keep stale owner/token values. */
  release(id: number): void {
    if (!this.isLive(id)) throw new AssertionError(`AllocationTable.release: ${id} is not live`);
    const slot = this.extrasOf(id);
    if (slot >= 0) this.freeSlots[this.freeTop++] = slot;
    this.records[id << 1] = 0;
    this.liveCount--;
  }

  /** Is `id` the handle of a live allocation? */
  isLive(id: number): boolean {
    return id >= 0 && id < this.records.length >> 1 && this.records[id << 1] !== 0;
  }

  /** KIND_PAGES, KIND_CMA or KIND_DMA of the live allocation `id`. */
  kindOf(id: number): number {
    return (this.records[id << 1] & T.KIND_MASK) - 1;
  }

  /** First pfn. */
  pfnOf(id: number): number {
    return this.records[(id << 1) + 1];
  }

  /** Pages held: 2^order for a page allocation, the count of a range. */
  pageCountOf(id: number): number {
    const order = this.orderOf(id);
    return order >= 0 ? 1 << order : this.pageCount[this.extrasOf(id)];
  }

  /** Buddy order of a page allocation; -1 for CMA and DMA ranges. */
  orderOf(id: number): number {
    return ((this.records[id << 1] >> T.ORDER_SHIFT) & T.ORDER_MASK) - 1;
  }

  /** Requested migratetype of a page allocation; MIGRATE_CMA for ranges. */
  migratetypeOf(id: number): number {
    return (this.records[id << 1] >> T.MT_SHIFT) & T.MT_MASK;
  }

  /** The free list type a page allocation's block was taken from; -1 for ranges. */
  sourceListOf(id: number): number {
    return ((this.records[id << 1] >> T.SOURCE_SHIFT) & T.SOURCE_MASK) - 1;
  }

  setSourceList(id: number, migratetype: number): void {
    const at = id << 1;
    this.records[at] = (this.records[at] & ~(T.SOURCE_MASK << T.SOURCE_SHIFT))
      | (migratetype + 1) << T.SOURCE_SHIFT;
  }

  /** The CMA area of a range; -1 for page allocations. */
  areaOf(id: number): number {
    return this.kindOf(id) === KIND_PAGES ? -1 : this.area[this.extrasOf(id)];
  }

  isPinned(id: number): boolean {
    const slot = this.extrasOf(id);
    return slot >= 0 && this.pinned[slot] === 1;
  }

  /** The pfn the allocation had when pinned, -1 when not pinned. */
  pinnedPfnOf(id: number): number {
    const slot = this.extrasOf(id);
    return slot >= 0 ? this.pinnedPfn[slot] : -1;
  }

  /** pin / unpin (idempotent): a new pin remembers the pfn it was taken at. */
  setPinned(id: number, pinned: boolean): void {
    const slot = this.extrasFor(id);
    if (pinned && this.pinned[slot] === 0) this.pinnedPfn[slot] = this.pfnOf(id);
    if (!pinned) this.pinnedPfn[slot] = -1;
    this.pinned[slot] = pinned ? 1 : 0;
  }

  /** Data token last written by a `write` op (0 = never written). */
  tokenOf(id: number): number {
    const slot = this.extrasOf(id);
    return slot >= 0 ? this.token[slot] : 0;
  }

  /** The extras slot of `id`, or -1 while it has none. */
  private extrasOf(id: number): number {
    return (this.records[id << 1] >>> T.EXTRAS_SHIFT) - 1;
  }

  /**
   * The extras slot of `id`, claimed on first use. Only a page allocation can lack one (a range
   * gets its slot at create()), and its page count and area come from its record word, so the
   * slot's `pageCount` and `area` are left unread.
   */
  private extrasFor(id: number): number {
    const existing = this.extrasOf(id);
    if (existing >= 0) return existing;
    const slot = this.claimExtras();
    this.records[id << 1] |= (slot + 1) << T.EXTRAS_SHIFT;
    return slot;
  }

  /** A free extras slot, not pinned and never written. */
  private claimExtras(): number {
    if (this.freeTop === 0) this.growExtras(this.extrasCapacity * 2);
    const slot = this.freeSlots[--this.freeTop];
    this.pinned[slot] = 0;
    this.pinnedPfn[slot] = -1;
    this.token[slot] = 0;
    return slot;
  }

  /**
   * The live allocation holding page frame `pfn`, or -1 (free, reserved, or never owned): the
   * frame's own mark (a range's frame, a page allocation's head), else the mark of each head a
   * page allocation covering it could have — `pfn` aligned down to orders 1..maxOrder.
   */
  ownerAt(pfn: number): number {
    const owner = this.owner;
    if (this.covers(owner[pfn], pfn)) return owner[pfn];
    for (let order = 1; order <= this.maxOrder; order++) {
      const head = pfn & -(1 << order);
      if (this.covers(owner[head], pfn)) return owner[head];
    }
    return -1;
  }

  /** Is `id` (maybe a stale mark, or a list link) a live allocation that holds `pfn`? */
  private covers(id: number, pfn: number): boolean {
    if (!this.isLive(id)) return false;
    const start = this.pfnOf(id);
    return pfn >= start && pfn < start + this.pageCountOf(id);
  }

  /** Marks the frames of `id` from `pfn` (its head only for a page allocation, see above). */
  claimFrames(id: number, pfn: number): void {
    this.markFrames(id, this.kindOf(id), pfn, this.pageCountOf(id));
  }

  private markFrames(id: number, kind: number, pfn: number, pageCount: number): void {
    const owner = this.owner;
    if (kind === KIND_PAGES) {
      owner[pfn] = id;
      return;
    }
    // Speed: a loop, not TypedArray.fill(), whose call costs more than a short run.
    for (let frame = pfn; frame < pfn + pageCount; frame++) owner[frame] = id;
  }

  /** Copies the data tokens of `pageCount` frames from `sourcePfn` to `targetPfn`. */
  copyFrames(targetPfn: number, sourcePfn: number, pageCount: number): void {
    this.frames.copyWithin(targetPfn, sourcePfn, sourcePfn + pageCount);
  }

  /** Moves an allocation's record and frame ownership to `targetPfn` (migration). */
  moveTo(id: number, targetPfn: number): void {
    this.records[(id << 1) + 1] = targetPfn;
    this.claimFrames(id, targetPfn);
  }

  /** `write`: the token in the record and in every frame. */
  write(id: number, token: number): void {
    const slot = this.extrasFor(id); // first: it may replace the arrays
    this.token[slot] = token;
    const pfn = this.pfnOf(id);
    this.frames.fill(token, pfn, pfn + this.pageCountOf(id));
  }

  /**
   * The common token of the allocation's frames, or -1 when they differ; 0 for an allocation
   * never written (its frames hold a previous owner's data, which no op observes — as the
   * model's snapshot).
   */
  frameToken(id: number): number {
    if (this.tokenOf(id) === 0) return 0;
    const start = this.pfnOf(id);
    const end = start + this.pageCountOf(id);
    const first = this.frames[start];
    for (let pfn = start + 1; pfn < end; pfn++) if (this.frames[pfn] !== first) return -1;
    return first;
  }

  /** The live handles, ascending: a walk of the record map. */
  liveIds(): number[] {
    const ids: number[] = [];
    const records = this.records;
    for (let at = 0; at < records.length; at += 2) if (records[at] !== 0) ids.push(at >> 1);
    assert(ids.length === this.liveCount, () => `liveIds: ${ids.length} handles live,`
      + ` liveCount ${this.liveCount}`);
    return ids;
  }

  /** Bytes held by the records (for stateBytes()). */
  byteLength(): number {
    return this.extrasCapacity * EXTRAS_BYTES + this.records.byteLength;
  }

  /** Bytes saveInto() writes: every array of the table (its frames live in the buddy's). */
  savedByteLength(): number {
    let bytes = 0;
    for (const view of this.byteViews) bytes += view.byteLength;
    return bytes;
  }

  /**
   * Copies every array into `bytes` from `offset` (a state copy; the caller allocates one
   * buffer for the whole core: each off-heap typed array costs about a microsecond to create).
   */
  saveInto(bytes: Uint8Array, offset: number): TableState {
    const segments: Uint8Array[] = [];
    let at = offset;
    for (const view of this.byteViews) {
      const segment = bytes.subarray(at, at + view.byteLength);
      segment.set(view);
      segments.push(segment);
      at += view.byteLength;
    }
    return {
      extrasCapacity: this.extrasCapacity, liveCount: this.liveCount, freeTop: this.freeTop,
      recordsLength: this.records.length, offset, segments,
    };
  }

  /** Puts back a copy taken by saveInto(), reusing the arrays when their sizes match. */
  restoreFrom(state: TableState): void {
    if (this.extrasCapacity !== state.extrasCapacity
      || this.records.length !== state.recordsLength) {
      this.allocate(state.extrasCapacity, state.recordsLength);
    }
    this.liveCount = state.liveCount;
    this.freeTop = state.freeTop;
    const views = this.byteViews;
    for (let index = 0; index < views.length; index++) views[index].set(state.segments[index]);
  }

  /** Rebuilds byteViews after an array was replaced: every array of the table, as bytes. */
  private refreshViews(): void {
    const arrays: TypedArray[] = [
      this.records, this.pageCount, this.area, this.pinnedPfn, this.token, this.freeSlots,
      this.pinned,
    ];
    this.byteViews = arrays.map((array) => (
      new Uint8Array(array.buffer, array.byteOffset, array.byteLength)));
  }

  private growIds(id: number): void {
    assert(Number.isSafeInteger(id) && id >= 0 && id < 2 ** 29,
      `AllocationTable: bad allocation id ${id}`);
    const length = 2 * Math.max(64, 2 ** Math.ceil(Math.log2(id + 1)));
    this.records = resize(this.records, length, Int32Array);
    this.refreshViews();
  }

  /** Fresh arrays of the sizes a saved table had (restoreFrom() then fills them). */
  private allocate(extrasCapacity: number, recordsLength: number): void {
    this.records = new Int32Array(recordsLength);
    this.pageCount = new Int32Array(extrasCapacity);
    this.area = new Int32Array(extrasCapacity);
    this.pinned = new Uint8Array(extrasCapacity);
    this.pinnedPfn = new Int32Array(extrasCapacity);
    this.token = new Int32Array(extrasCapacity);
    this.freeSlots = new Int32Array(extrasCapacity);
    this.extrasCapacity = extrasCapacity;
    this.refreshViews();
  }

  private growExtras(capacity: number): void {
    assert(capacity < T.EXTRAS_LIMIT, () => `AllocationTable: more than ${capacity / 2} ranges`
      + ' and pinned or written allocations live at once');
    const old = this.extrasCapacity;
    this.pageCount = resize(this.pageCount, capacity, Int32Array);
    this.area = resize(this.area, capacity, Int32Array);
    this.pinned = resize(this.pinned, capacity, Uint8Array);
    this.pinnedPfn = resize(this.pinnedPfn, capacity, Int32Array);
    this.token = resize(this.token, capacity, Int32Array);
    this.freeSlots = resize(this.freeSlots, capacity, Int32Array);
    // Fresh slots are pushed so that the lowest is popped first.
    for (let slot = capacity - 1; slot >= old; slot--) this.freeSlots[this.freeTop++] = slot;
    this.extrasCapacity = capacity;
    this.refreshViews();
  }
}

type TypedArray = Int32Array | Uint8Array;

function resize<T extends TypedArray>(
  array: T, length: number, Type: new (length: number) => T,
): T {
  const grown = new Type(length);
  grown.set(array);
  return grown;
}
