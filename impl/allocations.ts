/**
 * impl/allocations.ts — the live allocations the ops act on (pages, CMA and DMA ranges), their
 * pins and data tokens. Mirrors the allocation records of the model's state and the kernel
 * objects they stand for: a struct page's owner, `get_user_pages(FOLL_LONGTERM)` pins and the
 * contents of page frames (docs/MODEL.md "Ops", kernel-semantics.md §12.5).
 *
 * Layout (STYLE G15):
 * - What a free, a migration scan and ownerAt() read is one 16-byte record per slot in `hot`
 *   (Int32Array): pfn, page count, id, and kind | order | migratetype | source list | area
 *   packed in one word. Freeing a random handle then costs one cache line instead of one per
 *   field, and 40k live records stay within L2 (a 64-byte record measured slower than both: it
 *   does not). Pins and tokens, read by rarer ops, are plain arrays by slot, valid once the
 *   record's EXTRAS flag says a pin or write set them (RECORD_BYTES). A stack of free slots is
 *   reused last-in first-out; the table doubles when full, so its memory follows the number of
 *   *live* allocations (at most the trace length), not the page count: RECORD_BYTES per slot.
 * - Per page frame nothing extra: while a frame is allocated the buddy's `next[pfn]` may hold
 *   its owner slot and `prev[pfn]` holds its data token (the list links are unused then,
 *   impl/buddy.ts). A page allocation marks only its head frame, as the kernel's tail pages
 *   point at their compound head: ownerAt() of a tail looks at the heads it could have, pfn
 *   aligned down order by order. Writing every frame of a block measured 7–15% of a trace of
 *   alloc/free ops at 2^18 pages (bench/differential.ts: a 1024-page block is 64 cache lines
 *   that no buddy step reads). CMA and DMA ranges, of any length and alignment, mark every
 *   frame. A stale slot in a frame is harmless: ownerAt() accepts a slot only if it is live and
 *   covers the pfn, and live allocations are disjoint, so that answer is exact.
 * - `handles` maps a handle (the op's step) to two adjacent words, [(slot + 1) << 2 | kind,
 *   pfn << 4 | order + 1] (0 when not live, so grown memory needs no fill), grown by doubling.
 *   A free of a random handle reads one cache line for the slot, kind, pfn and order and only
 *   writes the record (a dependent record read cost a third of freeOp; bench/differential.ts).
 */
import { AssertionError, assert } from '../src/core/assert.ts';

export const KIND_PAGES = 0;
export const KIND_CMA = 1;
export const KIND_DMA = 2;
export const KIND_NAMES = ['pages', 'cma', 'dma'] as const;

/**
 * The hot record (file-local const enums: esbuild writes literals). TYPES packs kind (2 bits),
 * order + 1 (4), migratetype (3), sourceList + 1 (3), the EXTRAS flag and area + 1 (8); order
 * and sourceList are -1 for ranges, area for page allocations.
 */
const enum H { PFN = 0, PAGE_COUNT = 1, ID = 2, TYPES = 3, SHIFT = 2 }
const enum T {
  KIND_MASK = 3, ORDER_SHIFT = 2, ORDER_MASK = 15, MT_SHIFT = 6, MT_MASK = 7, SOURCE_SHIFT = 9,
  SOURCE_MASK = 7, EXTRAS = 1 << 12, AREA_SHIFT = 13, AREA_MASK = 255,
}

/**
 * Bytes per record slot: the hot record, pinned, pinnedPfn, token, free-slot entry. The three
 * extras are valid only while the record's EXTRAS flag is set — by the first pin or write —,
 * so creating a record writes its one hot line and not three more of a slot freed long ago.
 */
export const RECORD_BYTES = (1 << H.SHIFT) * 4 + 1 + 4 + 4 + 4;

/**
 * A copy of the table (AllocationTable.saveInto()), for BuddyCore.saveState(): the counts here,
 * the arrays' bytes back to back in a buffer the caller owns, from `offset`.
 */
export interface TableState {
  readonly capacity: number;
  readonly liveCount: number;
  readonly freeTop: number;
  /** Length of the handle map (it grows with the ids, apart from `capacity`). */
  readonly handlesLength: number;
  readonly offset: number;
  /** The saved bytes of each array, views into the caller's buffer (arrays() order). */
  readonly segments: readonly Uint8Array[];
}

export class AllocationTable {
  capacity = 0;
  liveCount = 0;
  private hot: Int32Array = new Int32Array(0);
  private pinned: Uint8Array = new Uint8Array(0);
  private pinnedPfn: Int32Array = new Int32Array(0);
  private token: Int32Array = new Int32Array(0);
  private freeSlots: Int32Array = new Int32Array(0);
  private freeTop = 0;
  private handles: Int32Array = new Int32Array(0);
  /** Byte views of arrays(), rebuilt when an array is replaced (state copies use them). */
  private byteViews: Uint8Array[] = [];

  /**
   * @param owner  the buddy's `next` array (owner slot of a page allocation's head frame and
   *               of every frame of a range)
   * @param frames the buddy's `prev` array (data token of each allocated frame)
   * @param maxOrder the largest order of a page allocation (how far ownerAt() looks for a head)
   */
  constructor(
    private readonly owner: Int32Array,
    private readonly frames: Int32Array,
    private readonly maxOrder: number,
  ) {
    this.grow(64);
  }

  /**
   * Records a new allocation and claims its frames; returns its slot. The frames keep whatever
   * a previous owner left (the kernel zeroes nothing): with token 0 nothing reads them.
   * Speed: positional arguments (no object per allocation).
   */
  create(
    id: number, kind: number, pfn: number, pageCount: number, order: number,
    migratetype: number, sourceList: number, area: number,
  ): number {
    if (this.freeTop === 0) this.grow(this.capacity * 2);
    const slot = this.freeSlots[--this.freeTop];
    const hot = this.hot;
    const at = slot << H.SHIFT;
    hot[at + H.PFN] = pfn;
    hot[at + H.PAGE_COUNT] = pageCount;
    hot[at + H.ID] = id;
    hot[at + H.TYPES] = kind | (order + 1) << T.ORDER_SHIFT | migratetype << T.MT_SHIFT
      | (sourceList + 1) << T.SOURCE_SHIFT | (area + 1) << T.AREA_SHIFT;
    this.markFrames(slot, kind, pfn, pageCount);
    this.mapId(id, slot, kind, pfn << 4 | (order + 1));
    this.liveCount++;
    return slot;
  }

  /** Forgets the allocation with handle `id`; its frames keep stale owner/token values. */
  release(id: number): void {
    const slot = this.slotOf(id);
    if (slot < 0) throw new AssertionError(`AllocationTable.release: ${id} is not live`);
    this.handles[id << 1] = 0;
    this.hot[(slot << H.SHIFT) + H.PAGE_COUNT] = 0;
    this.freeSlots[this.freeTop++] = slot;
    this.liveCount--;
  }

  /** The slot of the allocation with handle `id`, or -1. */
  slotOf(id: number): number {
    return id >= 0 && id << 1 < this.handles.length ? (this.handles[id << 1] >> 2) - 1 : -1;
  }

  /** The kind of the live allocation with handle `id` (see slotOf()). */
  kindOfHandle(id: number): number {
    return this.handles[id << 1] & 3;
  }

  /** The first pfn of the live allocation with handle `id`, from the handle's line. */
  pfnOfHandle(id: number): number {
    return this.handles[(id << 1) + 1] >> 4;
  }

  /** The order of the live page allocation with handle `id` (-1 for ranges). */
  orderOfHandle(id: number): number {
    return (this.handles[(id << 1) + 1] & 15) - 1;
  }

  idOf(slot: number): number {
    return this.hot[(slot << H.SHIFT) + H.ID];
  }

  pfnOf(slot: number): number {
    return this.hot[(slot << H.SHIFT) + H.PFN];
  }

  /** Pages held; 0 marks a free slot. */
  pageCountOf(slot: number): number {
    return this.hot[(slot << H.SHIFT) + H.PAGE_COUNT];
  }

  /** KIND_PAGES, KIND_CMA or KIND_DMA. */
  kindOf(slot: number): number {
    return this.typesOf(slot) & T.KIND_MASK;
  }

  /** Buddy order of a page allocation; -1 for CMA and DMA ranges. */
  orderOf(slot: number): number {
    return ((this.typesOf(slot) >> T.ORDER_SHIFT) & T.ORDER_MASK) - 1;
  }

  /** Requested migratetype of a page allocation; MIGRATE_CMA for ranges. */
  migratetypeOf(slot: number): number {
    return (this.typesOf(slot) >> T.MT_SHIFT) & T.MT_MASK;
  }

  /** The free list type a page allocation's block was taken from; -1 for ranges. */
  sourceListOf(slot: number): number {
    return ((this.typesOf(slot) >> T.SOURCE_SHIFT) & T.SOURCE_MASK) - 1;
  }

  setSourceList(slot: number, migratetype: number): void {
    const at = (slot << H.SHIFT) + H.TYPES;
    this.hot[at] = (this.hot[at] & ~(T.SOURCE_MASK << T.SOURCE_SHIFT))
      | (migratetype + 1) << T.SOURCE_SHIFT;
  }

  /** The CMA area of a range; -1 for page allocations. */
  areaOf(slot: number): number {
    return ((this.typesOf(slot) >> T.AREA_SHIFT) & T.AREA_MASK) - 1;
  }

  isPinned(slot: number): boolean {
    return this.hasExtras(slot) && this.pinned[slot] === 1;
  }

  /** The pfn the allocation had when pinned, -1 when not pinned. */
  pinnedPfnOf(slot: number): number {
    return this.hasExtras(slot) ? this.pinnedPfn[slot] : -1;
  }

  /** pin / unpin (idempotent): a new pin remembers the pfn it was taken at. */
  setPinned(slot: number, pinned: boolean): void {
    this.claimExtras(slot);
    if (pinned && this.pinned[slot] === 0) this.pinnedPfn[slot] = this.pfnOf(slot);
    if (!pinned) this.pinnedPfn[slot] = -1;
    this.pinned[slot] = pinned ? 1 : 0;
  }

  /** Data token last written by a `write` op (0 = never written). */
  tokenOf(slot: number): number {
    return this.hasExtras(slot) ? this.token[slot] : 0;
  }

  private typesOf(slot: number): number {
    return this.hot[(slot << H.SHIFT) + H.TYPES];
  }

  private hasExtras(slot: number): boolean {
    return (this.typesOf(slot) & T.EXTRAS) !== 0;
  }

  /** Makes the extras of `slot` valid: not pinned, never written, unless they already were. */
  private claimExtras(slot: number): void {
    if (this.hasExtras(slot)) return;
    this.pinned[slot] = 0;
    this.pinnedPfn[slot] = -1;
    this.token[slot] = 0;
    this.hot[(slot << H.SHIFT) + H.TYPES] |= T.EXTRAS;
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

  /** Is `slot` (maybe a stale mark) a live allocation that holds `pfn`? */
  private covers(slot: number, pfn: number): boolean {
    if (slot < 0 || slot >= this.capacity) return false;
    const at = slot << H.SHIFT;
    const start = this.hot[at + H.PFN];
    return pfn >= start && pfn < start + this.hot[at + H.PAGE_COUNT];
  }

  /** Marks the frames of `slot` from `pfn` (its head only for a page allocation, see above). */
  claimFrames(slot: number, pfn: number): void {
    this.markFrames(slot, this.kindOf(slot), pfn, this.pageCountOf(slot));
  }

  private markFrames(slot: number, kind: number, pfn: number, pageCount: number): void {
    const owner = this.owner;
    if (kind === KIND_PAGES) {
      owner[pfn] = slot;
      return;
    }
    // Speed: a loop, not TypedArray.fill(), whose call costs more than a short run.
    for (let frame = pfn; frame < pfn + pageCount; frame++) owner[frame] = slot;
  }

  /** Copies the data tokens of `pageCount` frames from `sourcePfn` to `targetPfn`. */
  copyFrames(targetPfn: number, sourcePfn: number, pageCount: number): void {
    this.frames.copyWithin(targetPfn, sourcePfn, sourcePfn + pageCount);
  }

  /** Moves an allocation's record and frame ownership to `targetPfn` (migration). */
  moveTo(slot: number, targetPfn: number): void {
    const at = slot << H.SHIFT;
    this.hot[at + H.PFN] = targetPfn;
    const word = (this.hot[at + H.ID] << 1) + 1;
    this.handles[word] = targetPfn << 4 | (this.handles[word] & 15);
    this.claimFrames(slot, targetPfn);
  }

  /** `write`: the token in the record and in every frame. */
  write(slot: number, token: number): void {
    this.claimExtras(slot);
    this.token[slot] = token;
    const pfn = this.pfnOf(slot);
    this.frames.fill(token, pfn, pfn + this.pageCountOf(slot));
  }

  /**
   * The common token of the allocation's frames, or -1 when they differ; 0 for an allocation
   * never written (its frames hold a previous owner's data, which no op observes — as the
   * model's snapshot).
   */
  frameToken(slot: number): number {
    if (this.tokenOf(slot) === 0) return 0;
    const start = this.pfnOf(slot);
    const end = start + this.pageCountOf(slot);
    const first = this.frames[start];
    for (let pfn = start + 1; pfn < end; pfn++) if (this.frames[pfn] !== first) return -1;
    return first;
  }

  /**
   * Live slots sorted by id. A handle is an id, so walking the handle map visits the live ones
   * in ascending order without a sort — cheaper while the map is short (a campaign run's few
   * hundred steps, where snapshots come every few ops); a long trace's map is sorted instead.
   */
  liveSlotsById(): number[] {
    if (this.handles.length >> 1 <= 8 * this.capacity) return this.liveSlotsByHandle();
    const slots: number[] = [];
    for (let slot = 0; slot < this.capacity; slot++) {
      if (this.pageCountOf(slot) > 0) slots.push(slot);
    }
    return slots.sort((a, b) => this.idOf(a) - this.idOf(b));
  }

  private liveSlotsByHandle(): number[] {
    const slots: number[] = [];
    const handles = this.handles;
    for (let at = 0; at < handles.length; at += 2) {
      const slot = (handles[at] >> 2) - 1;
      if (slot >= 0) slots.push(slot);
    }
    assert(slots.length === this.liveCount, () => `liveSlotsById: ${slots.length} handles live,`
      + ` liveCount ${this.liveCount}`);
    return slots;
  }

  /** Bytes held by the records (for stateBytes()). */
  byteLength(): number {
    return this.capacity * RECORD_BYTES + this.handles.byteLength;
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
      capacity: this.capacity, liveCount: this.liveCount, freeTop: this.freeTop,
      handlesLength: this.handles.length, offset, segments,
    };
  }

  /** Puts back a copy taken by saveInto(), reusing the arrays when their sizes match. */
  restoreFrom(state: TableState): void {
    if (this.capacity !== state.capacity || this.handles.length !== state.handlesLength) {
      this.allocate(state.capacity, state.handlesLength);
    }
    this.liveCount = state.liveCount;
    this.freeTop = state.freeTop;
    const views = this.byteViews;
    for (let index = 0; index < views.length; index++) views[index].set(state.segments[index]);
  }

  /** Rebuilds byteViews after an array was replaced: every array of the table, as bytes. */
  private refreshViews(): void {
    const arrays: TypedArray[] = [
      this.hot, this.pinnedPfn, this.token, this.freeSlots, this.handles, this.pinned,
    ];
    this.byteViews = arrays.map((array) => (
      new Uint8Array(array.buffer, array.byteOffset, array.byteLength)));
  }

  private mapId(id: number, slot: number, kind: number, place: number): void {
    if (!(id >= 0 && id << 1 < this.handles.length)) this.growIds(id);
    // A handle is an op's step: unique, so its entry must be free (tested first, so that the
    // message is built only on failure).
    if (this.handles[id << 1] !== 0) {
      throw new AssertionError(`AllocationTable: allocation id ${id} is already live`);
    }
    this.handles[id << 1] = (slot + 1) << 2 | kind;
    this.handles[(id << 1) + 1] = place;
  }

  private growIds(id: number): void {
    assert(Number.isSafeInteger(id) && id >= 0 && id < 2 ** 29,
      `AllocationTable: bad allocation id ${id}`);
    const length = 2 * Math.max(64, 2 ** Math.ceil(Math.log2(id + 1)));
    const grown = new Int32Array(length);
    grown.set(this.handles);
    this.handles = grown;
    this.refreshViews();
  }

  /** Fresh arrays of the sizes a saved table had (restoreFrom() then fills them). */
  private allocate(capacity: number, handlesLength: number): void {
    this.hot = new Int32Array(capacity << H.SHIFT);
    this.pinned = new Uint8Array(capacity);
    this.pinnedPfn = new Int32Array(capacity);
    this.token = new Int32Array(capacity);
    this.freeSlots = new Int32Array(capacity);
    this.handles = new Int32Array(handlesLength);
    this.capacity = capacity;
    this.refreshViews();
  }

  private grow(capacity: number): void {
    const old = this.capacity;
    this.hot = resize(this.hot, capacity << H.SHIFT, Int32Array);
    this.pinned = resize(this.pinned, capacity, Uint8Array);
    this.pinnedPfn = resize(this.pinnedPfn, capacity, Int32Array);
    this.token = resize(this.token, capacity, Int32Array);
    this.freeSlots = resize(this.freeSlots, capacity, Int32Array);
    // Fresh slots are pushed so that the lowest is popped first.
    for (let slot = capacity - 1; slot >= old; slot--) this.freeSlots[this.freeTop++] = slot;
    this.capacity = capacity;
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
