/**
 * The harness end to end on a planted one-line bug (issue 4): a subclass of impl that frees every
 * block onto the MOVABLE list (zoo/wrongFreeList.ts). The campaign must find it, shrink it to a
 * few ops, write a corpus file, and a replay of that file must fail the same way — while the
 * real impl passes the same trace. The campaign draws worlds of both profiles.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CAMPAIGN_OPTIONS, runCampaign } from '../../src/campaign/campaign.ts';
import { PROFILES } from '../../src/core/world.ts';
import { DEFAULT_WORLD_SHAPE } from '../../src/generate/world.ts';
import { readTrace, replayTrace } from '../../src/harness/corpus.ts';
import { implementationsFor } from '../../src/harness/registry.ts';
import { loadZoo } from '../../zoo/index.ts';

loadZoo();
const corpusDir = mkdtempSync(join(tmpdir(), 'cmacheck-planted-'));
afterAll(() => rmSync(corpusDir, { recursive: true, force: true }));

describe('a planted bug is found, shrunk, saved and replayed', () => {
  const against = 'zoo:wrong-free-list';
  const implementations = implementationsFor(against);
  if (implementations === null) throw new Error(`${against} is not registered`);
  const result = runCampaign({
    ...DEFAULT_CAMPAIGN_OPTIONS, seed: 4, runs: 10, timeMs: null, corpusDir, against,
    worldShape: { ...DEFAULT_WORLD_SHAPE, pagesLog2Max: 10, profile: PROFILES },
    shouldStop: () => false,
  }, implementations, () => 0);

  it('finds it and shrinks every failure to at most 6 ops', () => {
    expect(result.failures.length).toBeGreaterThan(0);
    for (const found of result.failures) {
      expect(found.trace.ops.length, found.signature).toBeLessThanOrEqual(6);
      expect(found.opsBeforeShrink).toBeGreaterThanOrEqual(found.trace.ops.length);
    }
  });

  it('writes one corpus file per failure signature', () => {
    const files = readdirSync(corpusDir).filter((name) => name.endsWith('.json'));
    expect(files.sort()).toEqual(result.failures.map((found) => found.file?.split('/').pop()).sort());
  });

  it('replays each file failing the same way on the mutant, and passing on the real impl', () => {
    for (const found of result.failures) {
      const file = found.file as string;
      const trace = readTrace(file);
      expect(trace.expect).toBe('fail');
      expect(replayTrace(file, trace).status).toBe('pass');
      expect(replayTrace(file, { ...trace, against: 'impl', expect: 'pass', results: null }).status).toBe('pass');
    }
  });

  it('cmacheck replay reports the recorded failure and exits 0', () => {
    const file = result.failures[0].file as string;
    const output = execFileSync('npx', ['tsx', 'src/cli/main.ts', 'replay', file], { encoding: 'utf8' });
    expect(output).toContain(`PASS     ${file} (fails as recorded: ${result.failures[0].trace.failure?.invariant} on ${against})`);
  });
});
