/**
 * The regression corpus replayed as recorded, for the mutation run only
 * (vitest.mutation.config.ts includes `*.mutation.ts`; `npm test` does not): every trace in
 * counterexamples/ that must pass passes, every bug-zoo trace still fails the way it was
 * recorded, and no step result diverges from the one written in the file (replayTrace compares
 * each op's result, and the snapshots, of model and impl after every step).
 *
 * It restates the first half of properties/corpus/replay.spec.ts, which `npm test` runs. That
 * spec also replays every pass trace under the other profile at collection time, outside any
 * test; Stryker counts code run there as static coverage, and a static mutant is run against the
 * whole test set with a module reload — most of model/ and impl/ would become static through it
 * (3694 of 6648 mutants in the first run). Here every replay runs inside its test, so each mutant
 * is run against the traces that reach it.
 */
import { describe, expect, it } from 'vitest';
import { readTrace, replayTrace, traceFiles } from '../../src/harness/corpus.ts';
import { loadZoo } from '../../zoo/index.ts';

loadZoo();
const files = traceFiles(['counterexamples']);

describe('the corpus replays as recorded (mutation run)', () => {
  it('has files to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s', (file) => {
    const report = replayTrace(file, readTrace(file));
    expect(report.detail).toBe('');
    expect(report.status).toBe('pass');
  });
});
