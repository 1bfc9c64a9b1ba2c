/**
 * The reference model alone, on thousands of random op sequences over random small worlds: every
 * invariant holds after every step (the model is run against itself, so only the invariants can
 * fail), and the generators reach the behaviours the invariants are about.
 */
import { describe, expect, it } from 'vitest';
import { type CampaignOptions, DEFAULT_CAMPAIGN_OPTIONS, runCampaign } from '../../src/campaign/campaign.ts';
import { DEFAULT_WORLD_SHAPE } from '../../src/generate/world.ts';
import { implementationsFor } from '../../src/harness/registry.ts';
import { renderStory } from '../../src/render/story.ts';
import { runTrace } from '../../src/harness/runner.ts';

const modelOnly = implementationsFor('model');

function options(seed: number, runs: number): CampaignOptions {
  return {
    ...DEFAULT_CAMPAIGN_OPTIONS, seed, runs, timeMs: null, corpusDir: null, opsPerRunMax: 200,
    worldShape: { ...DEFAULT_WORLD_SHAPE, pagesLog2Max: 10 },
    runOptions: { ...DEFAULT_CAMPAIGN_OPTIONS.runOptions, fullCheckEvery: 1 },
    shrinkOptions: { ...DEFAULT_CAMPAIGN_OPTIONS.shrinkOptions, runsMax: 300 },
    shouldStop: () => false,
  };
}

describe('the model keeps every invariant on random traces (K4_9)', () => {
  it('holds on 1500 random op sequences, checked after every op', () => {
    if (modelOnly === null) throw new Error('model is not registered');
    const result = runCampaign(options(20261127, 1500), modelOnly, () => 0);
    const stories = result.failures.map((found) => renderStory({
      trace: found.trace, outcome: runTrace(found.trace.world, found.trace.ops, modelOnly), snapshot: null, file: null,
    }));
    expect(stories).toEqual([]);
    expect(result.runs).toBe(1500);
    expect(result.ops).toBeGreaterThan(50_000);
    // The sequences reach the paths the invariants guard (kernel-semantics.md §4, §5.6, §12.5–§12.7).
    for (const behaviour of ['alloc.cmaFallback', 'fallback.claim', 'fallback.stealRange', 'cma.alloc.ok',
      'cma.ebusyRetry', 'cma.enomem', 'migrate.pages', 'boot.activationFailed']) {
      expect(result.behaviours[behaviour] ?? 0, behaviour).toBeGreaterThan(0);
    }
  });
});
