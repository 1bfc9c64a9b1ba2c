/**
 * The model behind the Allocator interface (STYLE G4: the one object in model/; it holds the
 * state and calls the functions, nothing else).
 */
import type { Allocator, Behaviours, BootReport, OpResult } from '../src/core/allocator.ts';
import { assert } from '../src/core/assert.ts';
import type { Op } from '../src/core/op.ts';
import type { Snapshot } from '../src/core/snapshot.ts';
import type { World } from '../src/core/world.ts';
import { apply } from './apply.ts';
import { bootModel } from './boot/boot.ts';
import { modelSnapshot } from './snapshot.ts';
import type { ModelState } from './state.ts';

export class ModelAllocator implements Allocator {
  readonly name: string = 'model';
  #state: ModelState | null = null;

  get state(): ModelState {
    assert(this.#state !== null, 'ModelAllocator: boot() first');
    return this.#state;
  }

  boot(world: World): BootReport {
    this.#state = bootModel(world);
    return this.#state.bootReport;
  }

  apply(op: Op, step: number): OpResult {
    return apply(this.state, op, step);
  }

  snapshot(): Snapshot {
    return modelSnapshot(this.state);
  }

  behaviours(): Behaviours {
    return { ...this.state.stats };
  }
}
