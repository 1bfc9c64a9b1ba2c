/**
 * The bug zoo has teeth (DESIGN.md "Bug zoo", STYLE G16): under every profile, every mutant of
 * zoo/mutants.ts is caught by the default campaign at the zoo's seed within the zoo's run
 * budget, an invariant mutant by the invariant its file names (for that profile), and the corpus
 * keeps the failure shrunk to at most ZOO_TRACE_OPS_MAX ops (properties/corpus/replay.spec.ts
 * replays it on every run). A mutant whose broken rule a profile lacks declares it with a reason
 * (Mutant.notUnder) and is checked to be reported "n/a" there, never silently skipped.
 *
 * `cmacheck zoo --profile all --corpus counterexamples` wrote those traces, each with the
 * campaign run that
 * found it; that one run is executed again here and must fail the same way, so the suite
 * neither reruns the runs before it nor the shrinking (the whole zoo takes half a minute). A
 * mutant whose failure signature a hand-written trace already holds (saveTrace keeps one file
 * per signature) is detected by the campaign itself.
 *
 * A generator change reshuffles which run fails and how far it shrinks: when a run no longer
 * fails, run `cmacheck zoo --seed N`, pick a seed where every mutant is caught and shrinks to
 * at most 8 ops, update ZOO_SEED_DEFAULT (zoo/run.ts) and save its traces with --corpus.
 *
 * Does not cover: the invariants-alone campaign of `cmacheck zoo` (its "alone:" column), which
 * spends the whole budget on the mutants no invariant catches; `cmacheck zoo` reports it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTrace, traceFiles } from '../../src/harness/corpus.ts';
import { type Trace, sameSignature } from '../../src/harness/trace.ts';
import { PROFILES, type Profile } from '../../src/core/world.ts';
import { zooFindings, zooTable } from '../../src/cli/zooCommand.ts';
import type { Mutant } from '../../zoo/mutants.ts';
import { MUTANTS } from '../../zoo/mutants.ts';
import {
  DEFAULT_ZOO_OPTIONS,
  ZOO_TRACE_OPS_MAX,
  type ZooOptions,
  type ZooOutcome,
  expectedUnder,
  failingRunSignature,
  runMutant,
} from '../../zoo/run.ts';

const zooOptions = { ...DEFAULT_ZOO_OPTIONS, checkAlone: false, shrinkRunsMax: 0 };
const corpus = traceFiles(['counterexamples']).map((file) => ({ file, trace: readTrace(file) }));

/** The failures the campaign at the zoo's seed found and `cmacheck zoo --corpus` kept. */
function campaignTraces(mutant: Mutant, options: ZooOptions): Trace[] {
  return corpus
    .map(({ trace }) => trace)
    .filter((trace) => trace.against === `zoo:${mutant.name}` && trace.found?.by === 'campaign'
      && trace.found.seed === options.seed && trace.world.profile === options.profile);
}

/** The campaign catches `mutant` under `options.profile`: its kept failing run fails again. */
function expectCaught(mutant: Mutant, options: ZooOptions): void {
  const kept = campaignTraces(mutant, options);
  if (kept.length === 0) {
    const outcome = runMutant(mutant, options, () => 0);
    expect(outcome.caught, `${mutant.name} escaped ${outcome.runs} runs`).toBe(true);
    const failure = outcome.found?.trace.failure ?? null;
    const held = corpus.some(({ trace }) => trace.against === `zoo:${mutant.name}`
      && trace.world.profile === options.profile
      && trace.failure !== null && failure !== null && sameSignature(trace.failure, failure));
    expect(held, `no ${options.profile} corpus trace holds the failure of zoo:${mutant.name}`)
      .toBe(true);
    return;
  }
  for (const trace of kept) {
    const run = trace.found?.run ?? -1;
    expect(run).toBeLessThan(options.runsMax);
    const signature = failingRunSignature(mutant, options, run);
    expect(signature, `run ${run} of seed ${options.seed} passes`).not.toBeNull();
    if (signature === null || trace.failure === null) continue;
    expect(sameSignature(signature, trace.failure)).toBe(true);
    if (signature.invariant === 'model-impl-agree') continue;
    expect(signature.invariant).toBe(expectedUnder(mutant, options.profile));
  }
}

it('has at least 14 mutants with distinct names', () => {
  const names = MUTANTS.map((mutant) => mutant.name);
  expect(new Set(names).size).toBe(names.length);
  expect(names.length).toBeGreaterThanOrEqual(14);
});

for (const profile of PROFILES) {
  const options: ZooOptions = { ...zooOptions, profile };
  const title = `the default campaign (seed ${options.seed}, ${profile}) catches every zoo mutant`;
  describe(title, () => {
    for (const mutant of MUTANTS) {
      const reason = mutant.notUnder?.[profile];
      if (reason === undefined) {
        it(`${mutant.name}: ${mutant.bugClass}`, () => expectCaught(mutant, options));
        continue;
      }
      it(`${mutant.name} is reported n/a under ${profile}: ${reason}`, () => {
        expect(reason.length).toBeGreaterThan(20);
        const outcome = runMutant(mutant, options, () => 0);
        expect(outcome).toMatchObject({ notApplicable: reason, caught: false, runs: 0 });
        expect(zooFindings([outcome], options.runsMax))
          .toEqual([`n/a under ${profile}: ${mutant.name} — ${reason}`]);
      });
    }
  });
}

it('declares n/a only for profiles other than the default, and for few mutants', () => {
  const declared = MUTANTS.flatMap((mutant) => Object.keys(mutant.notUnder ?? {}));
  expect(declared).not.toContain(DEFAULT_ZOO_OPTIONS.profile);
  expect(declared.length).toBeLessThanOrEqual(MUTANTS.length / 4);
});

/** The corpus traces against `mutant` recorded under `profile`. */
function keptUnder(mutant: Mutant, profile: Profile): typeof corpus {
  return corpus.filter(({ trace }) => trace.against === `zoo:${mutant.name}`
    && trace.world.profile === profile);
}

describe('the corpus keeps every zoo mutant\'s failure short, under every profile', () => {
  for (const profile of PROFILES) {
    for (const mutant of MUTANTS.filter((m) => m.notUnder?.[profile] === undefined)) {
      it(`zoo:${mutant.name} has a ${profile} trace of at most ${ZOO_TRACE_OPS_MAX} ops that`
        + ' must fail', () => {
        const kept = keptUnder(mutant, profile);
        expect(kept.length, `no ${profile} corpus trace against zoo:${mutant.name}`)
          .toBeGreaterThan(0);
        for (const { file, trace } of kept) {
          expect(trace.expect, file).toBe('fail');
          expect(trace.ops.length, file).toBeLessThanOrEqual(ZOO_TRACE_OPS_MAX);
        }
      });
    }
  }

  it('holds zoo traces only against known mutants, under profiles where they apply', () => {
    const names = new Set(MUTANTS.map((mutant) => `zoo:${mutant.name}`));
    const unknown = corpus
      .filter(({ trace }) => trace.against.startsWith('zoo:') && !names.has(trace.against))
      .map(({ file }) => file);
    expect(unknown).toEqual([]);
    const notApplicable = MUTANTS.flatMap((mutant) => PROFILES
      .filter((profile) => mutant.notUnder?.[profile] !== undefined)
      .flatMap((profile) => keptUnder(mutant, profile).map(({ file }) => file)));
    expect(notApplicable).toEqual([]);
  });
});

/** An outcome as the zoo reports it, with the fields the table reads. */
function outcome(fields: Partial<ZooOutcome> & Pick<ZooOutcome, 'name' | 'expected'>): ZooOutcome {
  return {
    profile: 'K4_9', notApplicable: null, caught: false, runs: 400, seconds: 1.5, found: null,
    alone: null, ...fields,
  };
}

function found(invariant: string, kind: string, opCount: number): ZooOutcome['found'] {
  const failure = { invariant, side: 'both', kind, opKind: 'alloc', step: 0, explanation: '' };
  return {
    signature: '',
    run: 0,
    hits: 1,
    opsBeforeShrink: opCount,
    file: null,
    shrinkRuns: 0,
    trace: { ops: new Array(opCount).fill({ kind: 'check', target: 0 }), failure },
  } as unknown as ZooOutcome['found'];
}

describe('the zoo table', () => {
  it('names what fired, what the invariants find alone, and every gap', () => {
    const outcomes = [
      outcome({
        name: 'a', expected: 'counters', caught: true, runs: 2,
        found: found('counters', 'violation', 1),
      }),
      outcome({
        name: 'b', expected: 'model-impl-agree', caught: true, runs: 16,
        found: found('model-impl-agree', 'disagreement', 2),
        alone: { invariant: null, crashed: false, runs: 400, seconds: 4 },
      }),
      outcome({
        name: 'c', expected: 'data-preserved', caught: true, runs: 5,
        found: found('model-impl-agree', 'disagreement', 9),
        alone: { invariant: 'data-preserved', crashed: false, runs: 7, seconds: 0.1 },
      }),
      outcome({ name: 'd', expected: 'cma-bitmap' }),
      outcome({
        name: 'e', expected: 'data-preserved', profile: 'K6_1', notApplicable: 'no such step',
        runs: 0, seconds: 0,
      }),
    ];
    // Cells, not padding: a column is as wide as its widest cell (src/render/table.ts).
    expect(zooTable(outcomes).map((line) => line.trim().split(/ {2,}/))).toEqual([
      ['mutant', 'verdict', 'runs', 'seconds', 'ops', 'fired', 'expected', 'as expected'],
      ['a', 'caught', '2', '1.50', '1', 'counters', 'counters', 'yes'],
      ['b', 'caught', '16', '1.50', '2', 'model-impl-agree only', 'model-impl-agree', 'yes'],
      ['c', 'caught', '5', '1.50', '9', 'model-impl-agree; alone: data-preserved',
        'data-preserved', 'yes'],
      ['d', 'ESCAPED', '400', '1.50', '-', '-', 'cma-bitmap', '-'],
      ['e', 'n/a', '0', '0.00', '-', '-', 'data-preserved', '-'],
    ]);
    expect(zooFindings(outcomes, 400)).toEqual([
      'n/a under K6_1: e — no such step',
      'escaped: d',
      'shrunk to more than 8 ops: c (9 ops)',
      'model-impl-agree only (the invariants alone catch none of these in 400 runs: gaps in the'
        + ' invariants): b',
    ]);
  });
});

describe('cmacheck zoo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cmacheck-zoo-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cmacheck = (...args: string[]) =>
    spawnSync('npx', ['tsx', 'src/cli/main.ts', 'zoo', ...args], { encoding: 'utf8' });

  it('exits 1 and names the escapes when the budget is too small, under every profile', () => {
    // One run per mutant: the mutants that show at boot or in the first run are caught, the
    // others escape; a mutant n/a under a profile is listed with its reason, not run.
    const json = join(dir, 'zoo.json');
    const run = cmacheck('--runs', '1', '--workers', '2', '--profile', 'all', '--json', json);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('ESCAPED');
    expect(run.stdout).toMatch(/^escaped: /m);
    for (const profile of PROFILES) {
      expect(run.stdout).toContain(`budget 1 runs per mutant · ${profile}\n`);
    }
    const report = JSON.parse(readFileSync(json, 'utf8')) as {
      runsMax: number;
      profiles: string[];
      mutants: { name: string; profile: string; notApplicable: string | null; caught: boolean;
        runs: number }[];
    };
    expect(report.runsMax).toBe(1);
    expect(report.profiles).toEqual(PROFILES);
    const expected = PROFILES.flatMap((profile) => MUTANTS.map((m) => ({
      name: m.name, profile, notApplicable: m.notUnder?.[profile] ?? null,
    })));
    expect(report.mutants.map(({ name, profile, notApplicable }) => ({
      name, profile, notApplicable,
    }))).toEqual(expected);
    for (const entry of expected.filter((e) => e.notApplicable !== null)) {
      expect(run.stdout).toContain(`n/a under ${entry.profile}: ${entry.name} — `);
    }
    expect(report.mutants.some((mutant) => mutant.caught)).toBe(true);
    const ran = report.mutants.filter((mutant) => mutant.notApplicable === null);
    expect(ran.every((mutant) => mutant.runs === 1)).toBe(true);
  });

  it('refuses a bad flag value with exit 2', () => {
    const run = cmacheck('--runs', 'many');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--runs: expected an integer');
    const profile = cmacheck('--profile', 'K5_4');
    expect(profile.status).toBe(2);
    expect(profile.stderr).toContain("--profile: expected one of K4_9, K6_1, all, got 'K5_4'");
  });
});
