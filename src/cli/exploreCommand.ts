/**
 * `cmacheck explore`: the bounded exhaustive explorer (src/explore/explorer.ts) on one small
 * world. Stdout is deterministic for the same flags unless --time stops the run (timings and
 * the progress line go to stderr); a violation is told as a story and saved to the corpus.
 * Exit 0 when nothing failed within the bounds (the summary says whether the state space was
 * exhausted or only bounded — a bound is never called a pass), 1 on a violation, 2 on a usage
 * or input error, 130 when interrupted.
 */
import { fileURLToPath } from 'node:url';
import { readJsonFile } from '../core/files.ts';
import { REQUEST_MIGRATETYPE_NAMES, type RequestMigratetypeName } from '../core/migratetype.ts';
import { OP_KINDS, type OpKind } from '../core/op.ts';
import type { World } from '../core/world.ts';
import { worldToJson } from '../core/worldJson.ts';
import { parseWorld } from '../core/worldParse.ts';
import { implementationsFor } from '../harness/registry.ts';
import type { Implementations } from '../harness/runner.ts';
import type { AlphabetOptions } from '../explore/alphabet.ts';
import {
  type Counterexample,
  confirmCounterexample,
  saveCounterexample,
} from '../explore/counterexample.ts';
import {
  type ExploreOptions, type ExploreResult, type ExploreSides, exploreAsync,
} from '../explore/explorer.ts';
import { exploreSummary } from '../explore/summary.ts';
import { renderStory } from '../render/story.ts';
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

export const EXPLORE_FLAGS = {
  world: { type: 'string' },
  depth: { type: 'string' },
  'max-states': { type: 'string' },
  time: { type: 'string' },
  shard: { type: 'string' },
  against: { type: 'string' },
  corpus: { type: 'string' },
  'op-kinds': { type: 'string' },
  migratetypes: { type: 'string' },
  profile: { type: 'string' },
  'impl-alone': { type: 'boolean' },
} as const;

export const EXPLORE_USAGE = [
  '  cmacheck explore [--world FILE] [--profile K4_9|K6_1] [--depth N|none] [--max-states N]',
  '                   [--time 30s] [--shard i/n] [--against impl|zoo:NAME] [--corpus DIR]',
  '                   [--op-kinds KIND,...] [--migratetypes UNMOVABLE,MOVABLE,RECLAIMABLE]',
  '                   [--impl-alone]',
  '      every op sequence up to the bounds on a small world (breadth first, shortest trace);',
  "      --profile explores the world under that profile instead of the file's;",
  '      --impl-alone runs no model: faster, and only the invariants check the implementation',
].join('\n');

const DEFAULT_WORLD = fileURLToPath(new URL('../../worlds/explore-small.json', import.meta.url));
/** Every sequence of up to 5 ops: about 110 000 states on the default world, some seconds. */
export const DEFAULT_DEPTH = 5;
export const DEFAULT_STATES_MAX = 5_000_000;
/** 20 M states are about 300 MB of fingerprints and tree; beyond that use --shard. */
const STATES_MAX_LIMIT = 20_000_000;
const DEPTH_LIMIT = 1000;

export interface ExploreSettings {
  worldFile: string;
  world: World;
  depthMax: number | null;
  statesMax: number;
  timeMs: number | null;
  shard: { index: number; count: number };
  against: string;
  implementations: Implementations;
  corpusDir: string;
  alphabet: AlphabetOptions;
  /** 'impl' (--impl-alone): the implementation without the model, checked by the invariants. */
  sides: ExploreSides;
}

function listFlag<T extends string>(
  parsed: Parsed,
  name: string,
  allowed: readonly T[],
): T[] | null {
  const text = stringFlag(parsed, name);
  if (text === undefined) return null;
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new UsageError(`--${name}: unknown '${item}' (expected some of ${allowed.join(', ')})`);
    }
  }
  if (items.length === 0) throw new UsageError(`--${name}: expected at least one name`);
  return items as T[];
}

function depthSetting(parsed: Parsed): number | null {
  if (stringFlag(parsed, 'depth') === 'none') return null;
  return integerFlag(parsed, 'depth', 0, DEPTH_LIMIT) ?? DEFAULT_DEPTH;
}

export function readExploreSettings(parsed: Parsed): ExploreSettings {
  if (parsed.positionals.length > 0)
    throw new UsageError(`unexpected argument '${parsed.positionals[0]}'`);
  const worldFile = stringFlag(parsed, 'world') ?? DEFAULT_WORLD;
  const against = stringFlag(parsed, 'against') ?? 'impl';
  const implementations = implementationsFor(against);
  if (implementations === null) {
    throw new UsageError(`--against: unknown implementation '${against}'`);
  }
  let world = parseWorld(readJsonFile(worldFile), worldFile);
  const profile = profileFlag(parsed, false);
  // The world re-read under the profile, so that one it makes illegal is an input error.
  if (profile !== undefined) world = parseWorld({ ...worldToJson(world), profile }, worldFile);
  return {
    worldFile,
    world,
    depthMax: depthSetting(parsed),
    statesMax: integerFlag(parsed, 'max-states', 1, STATES_MAX_LIMIT) ?? DEFAULT_STATES_MAX,
    timeMs: durationFlag(parsed, 'time') ?? null,
    shard: shardFlag(parsed, 'shard') ?? { index: 0, count: 1 },
    against,
    implementations,
    corpusDir: stringFlag(parsed, 'corpus') ?? 'counterexamples',
    sides: parsed.values['impl-alone'] === true ? 'impl' : 'both',
    alphabet: {
      kinds: listFlag<OpKind>(parsed, 'op-kinds', OP_KINDS) ?? OP_KINDS,
      migratetypes:
        listFlag<RequestMigratetypeName>(parsed, 'migratetypes', REQUEST_MIGRATETYPE_NAMES) ??
        REQUEST_MIGRATETYPE_NAMES,
    },
  };
}

function progressText(progress: ExploreProgressLike): string {
  const rate = Math.round(progress.distinct / Math.max(1e-3, progress.elapsedMs / 1000));
  return (
    `states ${progress.generated} · distinct ${progress.distinct} · queue ${progress.queue}` +
    ` · depth ${progress.depth} · ${rate} distinct/s`
  );
}

type ExploreProgressLike = Parameters<NonNullable<ExploreOptions['onProgress']>>[0];

async function runExplorer(
  settings: ExploreSettings,
  progress: ProgressLine,
): Promise<ExploreResult> {
  let interrupted = false;
  const onSigint = (): void => {
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
  try {
    return await exploreAsync({
      world: settings.world,
      implementations: settings.implementations,
      sides: settings.sides,
      alphabet: settings.alphabet,
      depthMax: settings.depthMax,
      statesMax: settings.statesMax,
      timeMs: settings.timeMs,
      shard: settings.shard,
      clock: () => performance.now(),
      shouldStop: () => interrupted,
      onProgress: (p) =>
        progress.update(
          settings.timeMs === null
            ? p.distinct / settings.statesMax
            : p.elapsedMs / settings.timeMs,
          progressText(p),
        ),
    });
  } finally {
    process.off('SIGINT', onSigint);
    progress.clear();
  }
}

function counterexampleLines(settings: ExploreSettings, counterexample: Counterexample): string[] {
  const saved = saveCounterexample(settings.corpusDir, counterexample);
  const story = renderStory({ ...counterexample, file: saved.path });
  const note = saved.created
    ? `saved ${saved.path}`
    : `not saved: ${saved.path} already holds this failure signature`;
  return ['', story, note];
}

export async function exploreCommand(parsed: Parsed): Promise<number> {
  const settings = readExploreSettings(parsed);
  const result = await runExplorer(settings, new ProgressLine());
  const lines = exploreSummary(settings, result);
  let counterexample: Counterexample | null = null;
  if (result.violationOps !== null) {
    counterexample = confirmCounterexample(
      settings.world,
      result.violationOps,
      settings.against,
      settings.implementations,
    );
    lines.push(...counterexampleLines(settings, counterexample));
  }
  console.log(lines.join('\n'));
  const seconds = result.elapsedMs / 1000;
  console.error(
    `explore: ${seconds.toFixed(1)} s · ${Math.round(result.distinct / seconds)}` +
      ` distinct states/s · ${Math.round(result.generated / seconds)} states/s`,
  );
  if (counterexample !== null) return 1;
  return result.stop === 'interrupted' ? 130 : 0;
}
