/**
 * The regression corpus (counterexamples/): every file replays as recorded — a trace that must
 * pass passes, a bug-zoo trace still fails the way it was recorded, and no step result diverges
 * from the one written in the file.
 *
 * Then across profiles (`cmacheck replay --profile P`, src/cli/replayCommand.ts): every `pass`
 * trace, its world switched to each other profile, still keeps model and impl in agreement with
 * every invariant true. Its recorded step results are not compared — they belong to the profile
 * it was recorded under. A world the other profile makes illegal is counted and named in the
 * test title; most must be legal, or the cross-profile check would check little.
 */
import { describe, expect, it } from 'vitest';
import { replayUnderProfile } from '../../src/cli/replayCommand.ts';
import { PROFILES } from '../../src/core/world.ts';
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

const passing = files
  .map((file) => ({ file, trace: readTrace(file) }))
  .filter(({ trace }) => trace.expect === 'pass');
const crossed = passing.flatMap(({ file, trace }) =>
  PROFILES.filter((profile) => profile !== trace.world.profile).map((profile) => ({
    file,
    profile,
    report: replayUnderProfile(file, trace, profile),
  })),
);
const illegal = crossed.filter(({ report }) => report.status === 'illegal');
const legal = crossed.filter(({ report }) => report.status !== 'illegal');
const illegalNames = illegal.map(({ file, profile }) => `${file} under ${profile}`).join(', ');

describe('every pass trace replays under every other profile', () => {
  it(`covers both profiles, most worlds legal there (${illegal.length} of ${crossed.length}`
    + ` illegal${illegal.length === 0 ? '' : `: ${illegalNames}`})`, () => {
    for (const profile of PROFILES) {
      expect(legal.some((entry) => entry.profile === profile), profile).toBe(true);
    }
    expect(illegal.length * 2).toBeLessThan(crossed.length);
    for (const { report } of illegal) {
      expect(report.detail).toMatch(/^not a legal K\d_\d+ world: \$/);
    }
  });

  it.each(legal.map(({ file, profile, report }) => [file, profile, report] as const))(
    '%s under %s: model and impl agree, every invariant holds',
    (_file, profile, report) => {
      expect(report.switchedFrom).not.toBe(profile);
      expect('replayed' in report && report.replayed.world.profile).toBe(profile);
      expect(report.detail).toBe('');
      expect(report.status).toBe('pass');
    },
  );
});
