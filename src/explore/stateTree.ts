/**
 * The BFS tree of the explorer, two small integers per distinct state and no pointers: which
 * op of its parent's alphabet discovered the state, and how many new states its own expansion
 * discovered. States are numbered in BFS order, so a level's states are contiguous
 * (levelStart) and the children of a level appear in the order of their parents: a state's
 * parent is implicit, found by walking its level's child counts (ancestorCursor below). That is
 * what lets a state be stored in 2 bytes here plus its fingerprint (src/explore/fingerprintSet.ts),
 * and be rebuilt later by restoring its parent and applying one op.
 *
 * The integer width is chosen from the world (STYLE G15): Uint8 when no state can have more than
 * 255 ops in its alphabet (src/explore/alphabet.ts alphabetBound), Uint16 otherwise.
 */
import { assert } from '../core/assert.ts';

type Small = Uint8Array | Uint16Array;

const GROWTH = 1.5;
const CAPACITY_MIN = 1024;

export class StateTree {
  #opIndex: Small;
  #childCount: Small;
  #size = 0;
  readonly #wide: boolean;
  /** levelStart[d] is the first state of depth d; levelStart[depth + 1] closes the last level. */
  readonly levelStart: number[] = [0];

  constructor(alphabetMax: number) {
    assert(alphabetMax <= 0xffff, `StateTree: alphabet of ${alphabetMax} ops needs wider indices`);
    this.#wide = alphabetMax > 0xff;
    this.#opIndex = this.#array(CAPACITY_MIN);
    this.#childCount = this.#array(CAPACITY_MIN);
  }

  get size(): number {
    return this.#size;
  }

  get byteLength(): number {
    return this.#opIndex.byteLength + this.#childCount.byteLength;
  }

  /** Adds a state discovered by op `opIndex` of its parent (0 for the initial state). */
  push(opIndex: number): number {
    if (this.#size === this.#opIndex.length) this.#grow();
    this.#opIndex[this.#size] = opIndex;
    return this.#size++;
  }

  opIndex(state: number): number {
    return this.#opIndex[state];
  }

  childCount(state: number): number {
    return this.#childCount[state];
  }

  addChild(parent: number): void {
    this.#childCount[parent]++;
  }

  /** Closes the level being filled: the states pushed so far end it. */
  closeLevel(): void {
    this.levelStart.push(this.#size);
  }

  #array(length: number): Small {
    return this.#wide ? new Uint16Array(length) : new Uint8Array(length);
  }

  #grow(): void {
    const capacity = Math.ceil(this.#opIndex.length * GROWTH);
    const opIndex = this.#array(capacity);
    const childCount = this.#array(capacity);
    opIndex.set(this.#opIndex);
    childCount.set(this.#childCount);
    this.#opIndex = opIndex;
    this.#childCount = childCount;
  }
}

/**
 * Walks one level's states in ascending order and knows each one's parent: the children of
 * level d − 1 were appended in their parents' order, so the parent advances past a parent once
 * its childCount children have gone by (and skips parents that found none).
 */
export class AncestorCursor {
  /** The state of this level the cursor stands on, and its parent one level up. */
  state: number;
  parent: number;
  #childOrdinal = 0;

  constructor(
    private readonly tree: StateTree,
    depth: number,
  ) {
    assert(depth >= 1, 'AncestorCursor: the initial state has no parent');
    this.state = tree.levelStart[depth];
    this.parent = tree.levelStart[depth - 1];
    this.#skipChildless();
  }

  /** Moves to `state` (≥ the current one) and returns its parent. */
  seek(state: number): number {
    assert(state >= this.state, `AncestorCursor: ${state} is behind ${this.state}`);
    while (this.state < state) {
      this.state++;
      this.#childOrdinal++;
      if (this.#childOrdinal === this.tree.childCount(this.parent)) {
        this.parent++;
        this.#childOrdinal = 0;
        this.#skipChildless();
      }
    }
    return this.parent;
  }

  #skipChildless(): void {
    while (this.parent < this.state && this.tree.childCount(this.parent) === 0) this.parent++;
  }
}
