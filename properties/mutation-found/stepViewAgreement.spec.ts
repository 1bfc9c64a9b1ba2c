/**
 * impl against the model with full checks every 4 ops, as the campaign runs them: between full
 * checks the runner compares the two sides' step views (the result's allocation, counters and
 * free-list ends; src/core/stepView.ts), so each side's stepView() must agree with the other's
 * wherever their snapshots agree. Fixed seeds, 12 traces of up to 100 ops per profile
 * (mutation-found/differential.ts says how they are drawn).
 *
 * Found by mutation testing: every spec of the mutation test set ran the runner with a full
 * check after every op, which never calls stepView(), so model/snapshot.ts's and
 * impl/snapshot.ts's step-view writers had no coverage at all.
 */
import { describe, it } from 'vitest';
import { checkAgreement } from './differential.ts';

describe('impl and model agree with full checks every 4 ops (step views in between)', () => {
  it('under K4_9 (seed 4094, 12 runs)', () => {
    checkAgreement('K4_9', 4094, 12, ['fallback.stealRange', 'cma.alloc.ok'], 4, 100);
  });

  it('under K6_1 (seed 6120, 12 runs)', () => {
    checkAgreement('K6_1', 6120, 12, ['fallback.stealRange', 'cma.alloc.ok'], 4, 100);
  });
});
