/**
 * The explorer's summary, stateright's key=value line first (STYLE G14):
 *   explore: states=399029 unique=109596 depth=5 queue=9451 exhausted=false bounded=depth
 * then the levels, the fingerprint figures and a verdict that says EXHAUSTED only when every
 * reachable state was expanded — a run stopped by a bound says BOUNDED and what was not seen.
 * Deterministic for the same settings (no timings: those go to stderr).
 */
import { behaviourTable } from '../campaign/behaviours.ts';
import type { World } from '../core/world.ts';
import type { AlphabetOptions } from './alphabet.ts';
import type { ExploreResult, ExploreSides, StopReason } from './explorer.ts';

export interface SummarySettings {
  world: World;
  depthMax: number | null;
  statesMax: number | null;
  timeMs: number | null;
  shard: { index: number; count: number };
  against: string;
  alphabet: AlphabetOptions;
  /** Default 'both'; 'impl': no model ran, the invariants alone checked `against`. */
  sides?: ExploreSides;
}

const BOUND_NAMES: Partial<Record<StopReason, string>> = {
  depth: 'depth',
  states: 'max-states',
  time: 'time',
  interrupted: 'interrupted',
};

export function keyValueLine(result: ExploreResult): string {
  const bound = BOUND_NAMES[result.stop];
  const bounded = bound === undefined ? '' : ` bounded=${bound}`;
  return (
    `explore: states=${result.generated} unique=${result.distinct} depth=${result.depth}` +
    ` queue=${result.queue} exhausted=${result.exhausted}${bounded}`
  );
}

function boundsLine(settings: SummarySettings): string {
  const depth = settings.depthMax === null ? 'depth unbounded' : `depth ≤ ${settings.depthMax}`;
  const states =
    settings.statesMax === null ? 'states unbounded' : `states ≤ ${settings.statesMax}`;
  const time = settings.timeMs === null ? 'no time limit' : `time ≤ ${settings.timeMs / 1000} s`;
  return `bounds: ${depth} · ${states} · ${time}`;
}

function alphabetLine(settings: SummarySettings, result: ExploreResult): string {
  const { kinds, migratetypes } = settings.alphabet;
  const targets = kinds.filter((kind) => !['alloc', 'cmaAlloc', 'dmaAlloc'].includes(kind));
  return (
    `alphabet: ${result.alphabetFixed} ops in every state (${migratetypes.join(', ')}),` +
    ` then ${targets.length === 0 ? 'nothing' : targets.join(', ')} per live allocation`
  );
}

function verdictLine(settings: SummarySettings, result: ExploreResult): string {
  switch (result.stop) {
    case 'exhausted':
      return (
        `EXHAUSTED · every reachable state (${result.distinct}) holds every invariant` +
        (settings.sides === 'impl'
          ? ` on ${settings.against} alone (no model ran)`
          : ` and model and ${settings.against} agree in each`)
      );
    case 'violation':
      return (
        `VIOLATION after ${result.violationOps?.length ?? 0} ops · BFS order: no shorter` +
        ' trace breaks anything'
      );
    case 'interrupted':
      return `INTERRUPTED · no violation in the ${result.distinct} states seen; not a pass`;
    default:
      return (
        `BOUNDED by ${BOUND_NAMES[result.stop]} · no violation in the ${result.distinct}` +
        ` states within the bound; ${result.queue} were not expanded, so this is not a pass`
      );
  }
}

export function exploreSummary(settings: SummarySettings, result: ExploreResult): string[] {
  const { world, shard } = settings;
  const lines = [
    `cmacheck explore · world ${world.name} (${world.pages} pages, maxOrder ${world.maxOrder},` +
      ` pageblockOrder ${world.pageblockOrder}) · ${world.profile}` +
      ` · against ${settings.against} · shard ${shard.index}/${shard.count}`,
    boundsLine(settings),
    alphabetLine(settings, result),
    keyValueLine(result),
    `levels: ${result.levelSizes.join(' ')}`,
    `fingerprints: 64-bit · ${result.bytesPerState.toFixed(1)} bytes per state · collision` +
      ` probability ${result.collisionProbability.toExponential(1)}` +
      " (TLC's optimistic d·(g−d)/2^64)",
    `forked by: model ${result.forkModes.model} · ${settings.against} ${result.forkModes.impl}`,
  ];
  if (result.split !== null) {
    lines.push(
      `shard split at depth ${result.split.depth}: ${result.split.levelSize} states,` +
        ` this shard expands ${result.split.owned}`,
    );
  }
  lines.push(verdictLine(settings, result));
  if (result.stop !== 'violation') {
    const side = settings.sides === 'impl' ? settings.against : 'model';
    lines.push('', `behaviours reached (${side}, every op applied):`);
    for (const [name, value] of behaviourTable(result.behaviours)) {
      const never = value === 0 ? '   (never reached)' : '';
      lines.push(`  ${name.padEnd(28)} ${String(value).padStart(10)}${never}`);
    }
  }
  return lines;
}
