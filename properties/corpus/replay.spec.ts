/**
 * The regression corpus (counterexamples/): every file replays as recorded — a trace that must
 * pass passes, a bug-zoo trace still fails the way it was recorded, and no step result diverges
 * from the one written in the file.
 */
import { describe, expect, it } from 'vitest';
import { readTrace, replayTrace, traceFiles } from '../../src/harness/corpus.ts';
import { loadZoo } from '../../zoo/index.ts';

loadZoo();
const files = traceFiles(['counterexamples']);

describe('the corpus replays as recorded', () => {
  it('has files to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s', (file) => {
    const report = replayTrace(file, readTrace(file));
    expect(report.detail).toBe('');
    expect(report.status).toBe('pass');
  });
});
