/**
 * What the state-copy properties need of an allocator (model and impl both have it, and the
 * bug zoo's impl subclasses): boot, apply, snapshot, and saveState()/restoreState(). Each side's
 * saved state is its own opaque type, hence `never` for what restoreState() takes.
 */
import type { Op } from '../../src/core/op.ts';
import type { ResultCode } from '../../src/core/result.ts';
import type { Snapshot } from '../../src/core/snapshot.ts';
import type { World } from '../../src/core/world.ts';

export interface Forkable {
  boot(world: World): unknown;
  apply(op: Op, step: number): ResultCode;
  snapshot(): Snapshot;
  saveState(): unknown;
  restoreState(saved: never): void;
}
