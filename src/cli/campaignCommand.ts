/**
 * `cmacheck` (the main job): replay the corpus, then a time-budgeted campaign on worker threads;
 * a summary table on stdout (deterministic for a seed and --runs: timings go to stderr), JSON and
 * JUnit reports on request; exit 0 all held, 1 a failure, 2 usage or input error, 130 when
 * interrupted before the budget was spent.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Behaviours } from '../core/allocator.ts';
import { writeFileAtomic, readJsonFile } from '../core/files.ts';
import { PROFILES, type Profile, type World } from '../core/world.ts';
import { worldToJson } from '../core/worldJson.ts';
import { parseWorld } from '../core/worldParse.ts';
import { behaviourTable, mergeBehaviours } from '../campaign/behaviours.ts';
import {
  type CampaignResult, DEFAULT_CAMPAIGN_OPTIONS, type FoundFailure,
} from '../campaign/campaign.ts';
import type { WorkerInput, WorkerMessage } from '../campaign/worker.ts';
import { DEFAULT_WORLD_SHAPE } from '../generate/world.ts';
import {
  type ReplayReport,
  readTrace,
  replayTrace,
  saveTrace,
  traceFiles,
} from '../harness/corpus.ts';
import { implementationsFor } from '../harness/registry.ts';
import { type JunitCase, junitXml } from '../report/junit.ts';
import { renderStory } from '../render/story.ts';
import { textTable } from '../render/table.ts';
import {
  type Parsed,
  UsageError,
  durationFlag,
  integerFlag,
  profileFlag,
  shardFlag,
  stringFlag,
} from './args.ts';
import { ProgressLine } from './progress.ts';

export const CAMPAIGN_FLAGS = {
  time: { type: 'string' },
  seed: { type: 'string' },
  runs: { type: 'string' },
  profile: { type: 'string' },
  world: { type: 'string' },
  workers: { type: 'string' },
  shard: { type: 'string' },
  json: { type: 'string' },
  junit: { type: 'string' },
  corpus: { type: 'string' },
  ops: { type: 'string' },
  'check-every': { type: 'string' },
  against: { type: 'string' },
} as const;

interface Settings {
  seed: number;
  runs: number | null;
  timeMs: number;
  /** `--profile`: one profile, or `all` (each run draws one of PROFILES). */
  profile: Profile | 'all';
  world: World | null;
  workers: number;
  shard: { index: number; count: number };
  corpusDir: string;
  opsPerRunMax: number;
  fullCheckEvery: number;
  against: string;
  json: string | undefined;
  junit: string | undefined;
}

function readSettings(parsed: Parsed): Settings {
  const profileText = profileFlag(parsed, true);
  const worldFile = stringFlag(parsed, 'world');
  if (worldFile !== undefined && profileText === 'all')
    throw new UsageError('--profile all draws a profile per run; with --world give one profile');
  let world = worldFile === undefined ? null : parseWorld(readJsonFile(worldFile), worldFile);
  if (world !== null && profileText !== undefined)
    world = parseWorld({ ...worldToJson(world), profile: profileText }, worldFile);
  const against = stringFlag(parsed, 'against') ?? 'impl';
  if (implementationsFor(against) === null)
    throw new UsageError(`--against: unknown implementation '${against}'`);
  return {
    seed: integerFlag(parsed, 'seed', 0, 0xffffffff) ?? 1,
    runs: integerFlag(parsed, 'runs', 1, 1e9) ?? null,
    timeMs: durationFlag(parsed, 'time') ?? 30_000,
    profile: profileText ?? world?.profile ?? 'K4_9',
    world,
    workers: integerFlag(parsed, 'workers', 1, 64) ?? 1,
    shard: shardFlag(parsed, 'shard') ?? { index: 0, count: 1 },
    corpusDir: stringFlag(parsed, 'corpus') ?? 'counterexamples',
    opsPerRunMax: integerFlag(parsed, 'ops', 1, 100_000) ?? 400,
    fullCheckEvery: integerFlag(parsed, 'check-every', 1, 1_000_000)
      ?? DEFAULT_CAMPAIGN_OPTIONS.runOptions.fullCheckEvery,
    against,
    json: stringFlag(parsed, 'json'),
    junit: stringFlag(parsed, 'junit'),
  };
}

function replayCorpus(directory: string): ReplayReport[] {
  if (!existsSync(directory)) return [];
  return traceFiles([directory]).map((file) => replayTrace(file, readTrace(file)));
}

/** Run indices of the shard split over workers so the union is the same for any worker count. */
function workerInputs(settings: Settings, stopFlag: SharedArrayBuffer): WorkerInput[] {
  return Array.from({ length: settings.workers }, (_, w) => ({
    seed: settings.seed,
    runs:
      settings.runs === null
        ? null
        : Math.floor((settings.runs - w + settings.workers - 1) / settings.workers),
    timeMs: settings.runs === null ? settings.timeMs : null,
    world: settings.world,
    worldShape: {
      ...DEFAULT_WORLD_SHAPE,
      profile: settings.profile === 'all' ? PROFILES : [settings.profile],
    },
    opsPerRunMax: settings.opsPerRunMax,
    shardIndex: settings.shard.index + w * settings.shard.count,
    shardCount: settings.shard.count * settings.workers,
    against: settings.against,
    fullCheckEvery: settings.fullCheckEvery,
    shrinkRunsMax: 4000,
    stopFlag,
  })).filter((input) => input.runs === null || input.runs > 0);
}

function runWorkers(
  inputs: WorkerInput[],
  progress: ProgressLine,
  settings: Settings,
): Promise<CampaignResult[]> {
  const totals = inputs.map(() => ({ runs: 0, ops: 0, failures: 0 }));
  const started = performance.now();
  const draw = (): void => {
    const runs = totals.reduce((s, t) => s + t.runs, 0);
    const ops = totals.reduce((s, t) => s + t.ops, 0);
    const failures = totals.reduce((s, t) => s + t.failures, 0);
    const elapsed = performance.now() - started;
    const fraction = settings.runs !== null ? runs / settings.runs : elapsed / settings.timeMs;
    progress.update(
      fraction,
      `runs ${runs} · ops ${ops} · failures ${failures} · ${Math.round(ops / Math.max(1e-3, elapsed / 1000))} ops/s`,
    );
  };
  return Promise.all(
    inputs.map(
      (input, index) =>
        new Promise<CampaignResult>((resolve, reject) => {
          const worker = new Worker(new URL('../campaign/workerEntry.mjs', import.meta.url), {
            workerData: input,
          });
          worker.on('message', (message: WorkerMessage) => {
            if (message.type === 'progress') {
              totals[index] = { runs: message.runs, ops: message.ops, failures: message.failures };
              draw();
            } else {
              resolve(message.result);
            }
          });
          worker.on('error', reject);
          worker.on('exit', (code) => {
            if (code !== 0) reject(new Error(`worker ${index} exited with code ${code}`));
          });
        }),
    ),
  );
}

interface Merged {
  runs: number;
  ops: number;
  skipped: number;
  failures: FoundFailure[];
  behaviours: Behaviours;
  interrupted: boolean;
}

/** Merges worker results in run order, keeping the first run of each failure signature. */
function merge(results: readonly CampaignResult[]): Merged {
  const merged: Merged = {
    runs: 0,
    ops: 0,
    skipped: 0,
    failures: [],
    behaviours: {},
    interrupted: false,
  };
  const all = results.flatMap((result) => result.failures).sort((a, b) => a.run - b.run);
  for (const result of results) {
    merged.runs += result.runs;
    merged.ops += result.ops;
    merged.skipped += result.skipped;
    merged.interrupted ||= result.interrupted;
    mergeBehaviours(merged.behaviours, result.behaviours);
  }
  for (const found of all) {
    const known = merged.failures.find((f) => f.signature === found.signature);
    if (known === undefined) merged.failures.push({ ...found });
    else known.hits += found.hits;
  }
  return merged;
}

function summaryHeader(settings: Settings): string {
  const world = settings.world === null ? 'worlds drawn per run' : `world ${settings.world.name}`;
  const shard = `${settings.shard.index}/${settings.shard.count}`;
  return (
    `cmacheck campaign · seed ${settings.seed} · ${settings.profile} · shard ${shard} · ${world}` +
    ` · against ${settings.against}`
  );
}

function corpusLines(corpus: readonly ReplayReport[]): string[] {
  const count = (status: string): number => corpus.filter((r) => r.status === status).length;
  return [
    `corpus: ${corpus.length} replayed · ${count('pass')} pass · ${count('failing')} failing` +
      ` · ${count('diverged')} diverged`,
    ...corpus
      .filter((r) => r.status !== 'pass')
      .map((r) => `  ${r.status.toUpperCase()} ${r.file}: ${r.detail}`),
  ];
}

function failureLines(found: FoundFailure): string[] {
  const story = renderStory({
    trace: found.trace,
    outcome: replayOutcome(found),
    snapshot: null,
    file: found.file,
  });
  const hits = `${found.hits} run${found.hits === 1 ? '' : 's'} hit it`;
  return [
    '',
    story,
    `found in run ${found.run} (${hits}), ${found.opsBeforeShrink} ops shrunk to ${found.trace.ops.length}`,
  ];
}

function summary(settings: Settings, corpus: readonly ReplayReport[], merged: Merged): string[] {
  const behaviours = behaviourTable(merged.behaviours).map(
    ([name, value]): [string, number, string] => [
      name,
      value,
      value === 0 ? '(never reached)' : '',
    ],
  );
  return [
    summaryHeader(settings),
    ...corpusLines(corpus),
    '',
    ...textTable(
      ['runs', 'ops', 'skipped', 'failures'],
      [[merged.runs, merged.ops, merged.skipped, merged.failures.length]],
    ),
    '',
    'behaviours reached:',
    ...textTable(['behaviour', 'count', ''], behaviours),
    ...merged.failures.flatMap(failureLines),
    ...(merged.interrupted
      ? ['', 'interrupted: the campaign stopped before its budget was spent']
      : []),
  ];
}

function replayOutcome(found: FoundFailure): ReplayReport['outcome'] {
  const implementations = implementationsFor(found.trace.against);
  if (implementations === null) throw new Error(`unknown implementation ${found.trace.against}`);
  return replayTrace(found.file ?? '<unsaved>', found.trace).outcome;
}

export async function campaignCommand(parsed: Parsed): Promise<number> {
  if (parsed.positionals.length > 0)
    throw new UsageError(`unexpected argument '${parsed.positionals[0]}'`);
  const settings = readSettings(parsed);
  const started = performance.now();
  const corpus = replayCorpus(settings.corpusDir);
  const stopFlag = new SharedArrayBuffer(4);
  const onSigint = (): void => {
    Atomics.store(new Int32Array(stopFlag), 0, 1);
  };
  process.on('SIGINT', onSigint);
  const progress = new ProgressLine();
  let results: CampaignResult[];
  try {
    results = await runWorkers(workerInputs(settings, stopFlag), progress, settings);
  } finally {
    process.off('SIGINT', onSigint);
    progress.clear();
  }
  const merged = merge(results);
  for (const found of merged.failures) found.file = saveTrace(settings.corpusDir, found.trace).path;
  const elapsedMs = performance.now() - started;
  console.log(summary(settings, corpus, merged).join('\n'));
  console.error(
    `checked ops/s: ${Math.round(merged.ops / (elapsedMs / 1000))} (${merged.ops} ops in ${(elapsedMs / 1000).toFixed(1)} s on ${settings.workers} worker${settings.workers === 1 ? '' : 's'})`,
  );
  const corpusBad = corpus.filter((r) => r.status !== 'pass');
  writeReports(settings, corpus, merged, elapsedMs);
  if (merged.failures.length > 0 || corpusBad.length > 0) return 1;
  return merged.interrupted ? 130 : 0;
}

function writeReports(
  settings: Settings,
  corpus: readonly ReplayReport[],
  merged: Merged,
  elapsedMs: number,
): void {
  if (settings.json !== undefined) {
    const json = {
      seed: settings.seed,
      profile: settings.profile,
      against: settings.against,
      shard: settings.shard,
      runs: merged.runs,
      ops: merged.ops,
      skipped: merged.skipped,
      interrupted: merged.interrupted,
      corpus: corpus.map((r) => ({ file: r.file, status: r.status, detail: r.detail })),
      failures: merged.failures.map((f) => ({
        signature: f.signature,
        file: f.file,
        run: f.run,
        hits: f.hits,
        opsBeforeShrink: f.opsBeforeShrink,
        ops: f.trace.ops.length,
        failure: f.trace.failure,
      })),
      behaviours: Object.fromEntries(behaviourTable(merged.behaviours)),
      timing: {
        elapsedMs: Math.round(elapsedMs),
        checkedOpsPerSecond: Math.round(merged.ops / (elapsedMs / 1000)),
      },
    };
    writeFileAtomic(settings.json, `${JSON.stringify(json, null, 2)}\n`);
  }
  if (settings.junit !== undefined) {
    const cases: JunitCase[] = corpus.map((r) => ({
      name: r.file,
      className: 'corpus',
      failure: r.status === 'pass' ? null : `${r.status}: ${r.detail}`,
      timeSeconds: 0,
    }));
    if (merged.failures.length === 0)
      cases.push({
        name: `campaign seed ${settings.seed}`,
        className: 'campaign',
        failure: null,
        timeSeconds: elapsedMs / 1000,
      });
    for (const f of merged.failures) {
      cases.push({
        name: f.signature,
        className: 'campaign',
        failure: `${f.trace.failure?.explanation ?? ''}\nreplay: npx cmacheck replay ${f.file}`,
        timeSeconds: 0,
      });
    }
    writeFileAtomic(settings.junit, junitXml('cmacheck', cases));
  }
}
