/**
 * `cmacheck replay PATH... [--profile P]`: corpus files replayed and judged — pass, failing
 * (the expectation does not hold) or diverged (a step result differs from the recorded one).
 *
 * Under --profile P a trace of another profile cannot be judged as recorded: its step results
 * and its expected failure belong to the profile it was recorded under. It is replayed as a
 * plain op sequence instead: its world switched to P, its ops run by model and impl (also for a
 * bug-zoo trace, whose mutant was caught under the recorded profile), and it passes when they
 * agree after every op and every invariant holds. A world that P makes illegal (a CMA area the
 * K6_1 declaration refuses, so an op names an area that is not there) is reported per file as
 * "not a legal P world" and fails nothing. A trace already of profile P replays as recorded.
 */
import type { Json } from '../core/json.ts';
import { InputError } from '../core/inputError.ts';
import type { Profile } from '../core/world.ts';
import { type ReplayReport, readTrace, replayTrace, traceFiles } from '../harness/corpus.ts';
import { type Trace, parseTrace, traceToJson } from '../harness/trace.ts';
import { renderStory } from '../render/story.ts';
import { type Parsed, UsageError, profileFlag } from './args.ts';

export const REPLAY_FLAGS = { profile: { type: 'string' } } as const;

export const REPLAY_USAGE = [
  '  cmacheck replay [--profile K4_9|K6_1] PATH...',
  '      replay corpus files or directories: pass / failing / diverged. --profile P replays a',
  '      trace of another profile on its world switched to P: its ops must keep model and impl',
  '      in agreement and every invariant true (recorded results and expected failures belong',
  '      to the recorded profile); a world illegal under P is listed "not a legal P world"',
].join('\n');

/** A replay under --profile: as recorded, switched to the profile, or not possible there. */
export type ProfileReplay =
  | (ReplayReport & { switchedFrom: Profile | null; replayed: Trace })
  | { file: string; status: 'illegal'; detail: string; switchedFrom: Profile };

/**
 * The trace as a plain op sequence on its world under `profile`: expected to pass against impl,
 * no recorded results or failure. Parsed again from its JSON, so that a world or op the profile
 * makes illegal is an InputError saying where.
 */
export function switchProfile(trace: Trace, profile: Profile, file: string): Trace {
  const plain: Trace = {
    ...trace,
    against: 'impl',
    expect: 'pass',
    failure: null,
    results: null,
  };
  const json = traceToJson(plain) as { [key: string]: Json };
  const world = json.world as { [key: string]: Json };
  return parseTrace({ ...json, world: { ...world, profile } }, file);
}

/** Replays `trace` under `profile` (see the header): as recorded when it is of that profile. */
export function replayUnderProfile(file: string, trace: Trace, profile: Profile): ProfileReplay {
  const recorded = trace.world.profile;
  if (recorded === profile) {
    return { ...replayTrace(file, trace), switchedFrom: null, replayed: trace };
  }
  let switched: Trace;
  try {
    switched = switchProfile(trace, profile, file);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const detail = `not a legal ${profile} world: ${error.path}: ${error.reason}`;
    return { file, status: 'illegal', detail, switchedFrom: recorded };
  }
  return { ...replayTrace(file, switched), switchedFrom: recorded, replayed: switched };
}

function statusLine(report: ProfileReplay, trace: Trace, profile: Profile | undefined): string {
  const status = report.status === 'illegal' ? 'N/A' : report.status.toUpperCase();
  const switched =
    report.switchedFrom === null ? '' : ` (${report.switchedFrom} trace under ${profile})`;
  const recorded =
    report.switchedFrom === null && trace.expect === 'fail' && report.status === 'pass'
      ? ` (fails as recorded: ${trace.failure?.invariant} on ${trace.against})`
      : '';
  const detail = report.detail === '' ? '' : `: ${report.detail}`;
  return `${status.padEnd(8)} ${report.file}${switched}${recorded}${detail}`;
}

function storyLines(report: ReplayReport & { replayed: Trace }, profile?: Profile): string {
  // The replay command line of the story, with the profile when one was given.
  const file = profile === undefined ? report.file : `--profile ${profile} ${report.file}`;
  const trace = report.replayed;
  return renderStory({ trace, outcome: report.outcome, snapshot: null, file })
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

export function replayCommand(parsed: Parsed): number {
  if (parsed.positionals.length === 0)
    throw new UsageError('replay needs at least one file or directory');
  const profile = profileFlag(parsed, false);
  const counts = { pass: 0, failing: 0, diverged: 0, illegal: 0 };
  for (const file of traceFiles(parsed.positionals)) {
    const trace = readTrace(file);
    const report: ProfileReplay =
      profile === undefined
        ? { ...replayTrace(file, trace), switchedFrom: null, replayed: trace }
        : replayUnderProfile(file, trace, profile);
    counts[report.status]++;
    console.log(statusLine(report, trace, profile));
    if (report.status === 'pass' || report.status === 'illegal') continue;
    console.log(storyLines(report, profile));
  }
  if (profile !== undefined) {
    console.log(
      `replay under ${profile}: ${counts.pass} pass · ${counts.failing} failing` +
        ` · ${counts.diverged} diverged · ${counts.illegal} not legal ${profile} worlds`,
    );
  }
  return counts.failing + counts.diverged === 0 ? 0 : 1;
}
