/**
 * Forking one side (model, impl or a zoo mutant) of the explorer: save its state, restore it
 * later any number of times, apply ops. The Allocator interface has boot, apply and snapshot
 * only; an allocator that also has saveState()/restoreState() (model/allocator.ts; impl when
 * its issue lands) is forked by those. Any other is forked by replay: a saved state is the list
 * of ops applied since boot, and restoring boots a fresh state and applies them again — correct
 * for any deterministic implementation, and depth times slower, so the summary says which way
 * each side was forked.
 */
import type { Allocator } from '../core/allocator.ts';
import type { Op } from '../core/op.ts';
import type { ResultCode } from '../core/result.ts';
import type { World } from '../core/world.ts';

/** What the explorer needs of an allocator besides the interface, when it has it. */
interface SaveRestore {
  saveState(): object;
  restoreState(saved: object): void;
}

export type ForkMode = 'saveState' | 'replay';

interface Applied {
  op: Op;
  step: number;
}

export class SideFork {
  readonly mode: ForkMode;
  readonly #direct: SaveRestore | null;
  /** Replay mode: the ops applied since boot, in order. */
  #history: Applied[] = [];

  constructor(
    readonly allocator: Allocator,
    private readonly world: World,
  ) {
    this.#direct = saveRestoreOf(allocator);
    this.mode = this.#direct === null ? 'replay' : 'saveState';
  }

  apply(op: Op, step: number): ResultCode {
    const result = this.allocator.apply(op, step);
    if (this.#direct === null) this.#history.push({ op, step });
    return result;
  }

  save(): object {
    if (this.#direct !== null) return this.#direct.saveState();
    return { history: [...this.#history] };
  }

  restore(saved: object): void {
    if (this.#direct !== null) {
      this.#direct.restoreState(saved);
      return;
    }
    const history = (saved as { history: Applied[] }).history;
    this.allocator.boot(this.world);
    for (const { op, step } of history) this.allocator.apply(op, step);
    this.#history = [...history];
  }
}

function saveRestoreOf(allocator: Allocator): SaveRestore | null {
  const candidate = allocator as Allocator & Partial<SaveRestore>;
  const { saveState, restoreState } = candidate;
  if (typeof saveState !== 'function' || typeof restoreState !== 'function') return null;
  return {
    saveState: () => saveState.call(allocator),
    restoreState: (saved) => restoreState.call(allocator, saved),
  };
}
