/**
 * `cmacheck zoo`: the harness's proof of teeth (DESIGN.md "Bug zoo", STYLE G16). For each
 * mutant of zoo/mutants.ts, the default campaign at one seed until the first failure or the run
 * budget (zoo/run.ts); a table of what was caught, how fast, how short the shrunk trace is and
 * which invariant fired. Exit 1 if any mutant escapes, 2 on a usage error.
 *
 * Mutants are spread over worker threads, each taking the next one; a mutant's outcome depends
 * only on the seed and the budget, so every column but the seconds is the same whatever the
 * worker count. With --corpus, each caught mutant's shrunk
 * trace is saved there (saveTrace never overwrites a file with the same failure signature).
 *
 * --profile picks the profile of the drawn worlds (K4_9 by default; `all` runs the zoo once per
 * profile, one table each). A mutant whose broken rule the profile does not have says so in
 * its definition (Mutant.notUnder) and is listed "n/a" with that reason, never silently left out.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { writeFileAtomic } from '../core/files.ts';
import { PROFILES, type Profile } from '../core/world.ts';
import { saveTrace } from '../harness/corpus.ts';
import { textTable } from '../render/table.ts';
import { MUTANTS } from '../../zoo/mutants.ts';
import {
  DEFAULT_ZOO_OPTIONS,
  ZOO_TRACE_OPS_MAX,
  type ZooOptions,
  type ZooOutcome,
  expectedFired,
  firedText,
} from '../../zoo/run.ts';
import type { ZooWorkerInput, ZooWorkerMessage } from '../../zoo/worker.ts';
import { type Parsed, UsageError, integerFlag, profileFlag, stringFlag } from './args.ts';
import { ProgressLine } from './progress.ts';

export const ZOO_FLAGS = {
  seed: { type: 'string' },
  runs: { type: 'string' },
  workers: { type: 'string' },
  json: { type: 'string' },
  corpus: { type: 'string' },
  profile: { type: 'string' },
} as const;

export const ZOO_USAGE = [
  '  cmacheck zoo [--seed N] [--runs N] [--profile K4_9|K6_1|all] [--workers N] [--json FILE]',
  '               [--corpus DIR]',
  '      the campaign against every bug-zoo mutant until it fails (--runs: budget per mutant);',
  '      a table of what was caught and by which invariant; exit 1 if one escapes. --profile:',
  '      the profile of the drawn worlds (all: one table per profile); a mutant whose rule the',
  '      profile lacks is listed n/a with the reason its definition gives',
].join('\n');

interface ZooSettings {
  /** The options of the first profile; `profiles` lists every profile to run. */
  options: ZooOptions;
  profiles: readonly Profile[];
  workers: number;
  json: string | undefined;
  corpusDir: string | undefined;
}

function readSettings(parsed: Parsed): ZooSettings {
  if (parsed.positionals.length > 0)
    throw new UsageError(`zoo: unexpected argument '${parsed.positionals[0]}'`);
  const profile = profileFlag(parsed, true) ?? DEFAULT_ZOO_OPTIONS.profile;
  const profiles = profile === 'all' ? PROFILES : [profile];
  return {
    profiles,
    options: {
      ...DEFAULT_ZOO_OPTIONS,
      profile: profiles[0],
      seed: integerFlag(parsed, 'seed', 0, 0xffffffff) ?? DEFAULT_ZOO_OPTIONS.seed,
      runsMax: integerFlag(parsed, 'runs', 1, 1e6) ?? DEFAULT_ZOO_OPTIONS.runsMax,
    },
    workers: integerFlag(parsed, 'workers', 1, 64) ?? Math.min(2, availableParallelism()),
    json: stringFlag(parsed, 'json'),
    corpusDir: stringFlag(parsed, 'corpus'),
  };
}

/** Runs the zoo on `workers` threads, each taking the next mutant; outcomes in MUTANTS order. */
function runWorkers(
  options: ZooOptions,
  workers: number,
  progress: ProgressLine,
): Promise<ZooOutcome[]> {
  const outcomes: ZooOutcome[] = new Array<ZooOutcome>(MUTANTS.length);
  let done = 0;
  const input: ZooWorkerInput = { next: new SharedArrayBuffer(4), options };
  const threads = Array.from({ length: Math.min(workers, MUTANTS.length) }, (_, worker) => {
    return new Promise<void>((resolve, reject) => {
      const thread = new Worker(new URL('../../zoo/workerEntry.mjs', import.meta.url), {
        workerData: input,
      });
      thread.on('message', (message: ZooWorkerMessage) => {
        outcomes[message.index] = message.outcome;
        done++;
        progress.update(
          done / MUTANTS.length,
          `${done}/${MUTANTS.length} mutants` + ` · last ${message.outcome.name}`,
        );
      });
      thread.on('error', reject);
      thread.on('exit', (code) => {
        if (code === 0) resolve();
        else reject(new Error(`zoo worker ${worker} exited with code ${code}`));
      });
    });
  });
  return Promise.all(threads).then(() => outcomes);
}

function verdictText(outcome: ZooOutcome): string {
  if (outcome.notApplicable !== null) return 'n/a';
  return outcome.caught ? 'caught' : 'ESCAPED';
}

/** The table: one row per mutant, in MUTANTS order. */
export function zooTable(outcomes: readonly ZooOutcome[]): string[] {
  const rows = outcomes.map((outcome) => [
    outcome.name,
    verdictText(outcome),
    outcome.runs,
    outcome.seconds.toFixed(2),
    outcome.found === null ? '-' : String(outcome.found.trace.ops.length),
    firedText(outcome),
    outcome.expected,
    outcome.caught ? (expectedFired(outcome) ? 'yes' : 'no') : '-',
  ]);
  return textTable(
    ['mutant', 'verdict', 'runs', 'seconds', 'ops', 'fired', 'expected', 'as expected'],
    rows,
  );
}

/**
 * Lines under the table: escapes, long traces, and the gaps in the invariants — mutants that
 * the invariants alone did not catch within the budget of `runsMax` runs.
 */
export function zooFindings(outcomes: readonly ZooOutcome[], runsMax: number): string[] {
  const lines: string[] = [];
  for (const outcome of outcomes) {
    if (outcome.notApplicable === null) continue;
    lines.push(`n/a under ${outcome.profile}: ${outcome.name} — ${outcome.notApplicable}`);
  }
  const escaped = outcomes
    .filter((outcome) => !outcome.caught && outcome.notApplicable === null)
    .map((outcome) => outcome.name);
  if (escaped.length > 0) lines.push(`escaped: ${escaped.join(', ')}`);
  const long = outcomes
    .filter((outcome) => (outcome.found?.trace.ops.length ?? 0) > ZOO_TRACE_OPS_MAX)
    .map((outcome) => `${outcome.name} (${outcome.found?.trace.ops.length} ops)`);
  if (long.length > 0) {
    lines.push(`shrunk to more than ${ZOO_TRACE_OPS_MAX} ops: ${long.join(', ')}`);
  }
  const gaps = outcomes
    .filter((outcome) => firedText(outcome).endsWith(' only'))
    .map((outcome) => outcome.name);
  if (gaps.length > 0) {
    lines.push(
      `model-impl-agree only (the invariants alone catch none of these in ${runsMax}` +
        ` runs: gaps in the invariants): ${gaps.join(', ')}`,
    );
  }
  const unexpected = outcomes
    .filter((outcome) => outcome.caught && !expectedFired(outcome))
    .map((outcome) => outcome.name);
  if (unexpected.length > 0) {
    lines.push(`caught, not by the expected invariant: ${unexpected.join(', ')}`);
  }
  return lines;
}

function outcomeJson(outcome: ZooOutcome, file: string | null): Record<string, unknown> {
  const mutant = MUTANTS.find((candidate) => candidate.name === outcome.name);
  return {
    name: outcome.name,
    profile: outcome.profile,
    notApplicable: outcome.notApplicable,
    bugClass: mutant?.bugClass ?? null,
    kernelFunction: mutant?.kernelFunction ?? null,
    expected: outcome.expected,
    caught: outcome.caught,
    runs: outcome.runs,
    seconds: Number(outcome.seconds.toFixed(3)),
    opsBeforeShrink: outcome.found?.opsBeforeShrink ?? null,
    ops: outcome.found?.trace.ops.length ?? null,
    failure: outcome.found?.trace.failure ?? null,
    fired: firedText(outcome),
    alone:
      outcome.alone === null
        ? null
        : { ...outcome.alone, seconds: Number(outcome.alone.seconds.toFixed(3)) },
    asExpected: outcome.caught && expectedFired(outcome),
    file,
  };
}

/** The zoo under one profile: the table, the findings, the corpus files written. */
async function zooUnderProfile(
  settings: ZooSettings,
  profile: Profile,
): Promise<{ outcomes: ZooOutcome[]; files: (string | null)[]; lines: string[] }> {
  const options: ZooOptions = { ...settings.options, profile };
  const started = performance.now();
  const progress = new ProgressLine();
  let outcomes: ZooOutcome[];
  try {
    outcomes = await runWorkers(options, settings.workers, progress);
  } finally {
    progress.clear();
  }
  const seconds = (performance.now() - started) / 1000;
  const saved = outcomes.map((outcome) =>
    settings.corpusDir === undefined || outcome.found === null
      ? null
      : saveTrace(settings.corpusDir, outcome.found.trace),
  );
  const { seed, runsMax } = options;
  const applicable = outcomes.filter((outcome) => outcome.notApplicable === null);
  const caught = applicable.filter((outcome) => outcome.caught).length;
  const notApplicable = outcomes.length - applicable.length;
  const workers = `${settings.workers} worker${settings.workers === 1 ? '' : 's'}`;
  const lines = [
    `cmacheck zoo · seed ${seed} · budget ${runsMax} runs per mutant · ${profile}`,
    ...zooTable(outcomes),
    '',
    `${caught} of ${applicable.length} mutants caught in ${seconds.toFixed(1)} s on ${workers}` +
      (notApplicable === 0 ? '' : ` (${notApplicable} n/a under ${profile})`),
    ...zooFindings(outcomes, runsMax),
    ...saved.flatMap((entry) =>
      entry === null
        ? []
        : [`corpus: ${entry.path}${entry.created ? '' : ' (kept: same failure signature)'}`],
    ),
  ];
  return { outcomes, files: saved.map((entry) => entry?.path ?? null), lines };
}

export async function zooCommand(parsed: Parsed): Promise<number> {
  const settings = readSettings(parsed);
  const started = performance.now();
  const outcomes: ZooOutcome[] = [];
  const files: (string | null)[] = [];
  for (const [index, profile] of settings.profiles.entries()) {
    const run = await zooUnderProfile(settings, profile);
    if (index > 0) console.log('');
    console.log(run.lines.join('\n'));
    outcomes.push(...run.outcomes);
    files.push(...run.files);
  }
  const seconds = (performance.now() - started) / 1000;
  if (settings.json !== undefined) {
    const { seed, runsMax } = settings.options;
    const json = {
      seed,
      runsMax,
      profiles: settings.profiles,
      seconds: Number(seconds.toFixed(3)),
      mutants: outcomes.map((outcome, index) => outcomeJson(outcome, files[index])),
    };
    writeFileAtomic(settings.json, `${JSON.stringify(json, null, 2)}\n`);
  }
  const escaped = outcomes.filter((outcome) => !outcome.caught && outcome.notApplicable === null);
  return escaped.length === 0 ? 0 : 1;
}
