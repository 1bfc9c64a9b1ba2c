/**
 * The regression corpus: one JSON trace per distinct failure in counterexamples/, written
 * atomically and de-duplicated by failure signature; replayed by `npm test` and first in every
 * campaign.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../core/inputError.ts';
import { readJsonFile, writeFileAtomic } from '../core/files.ts';
import { implementationsFor, knownImplementations } from './registry.ts';
import {
  type RunOptions,
  DEFAULT_RUN_OPTIONS,
  type RunOutcome,
  type StepResult,
  runTrace,
} from './runner.ts';
import {
  type Trace,
  parseTrace,
  sameSignature,
  signatureOf,
  signatureText,
  traceToJson,
  traceToText,
} from './trace.ts';

/** Lists the trace files under each path (files as given, directories recursively), sorted. */
export function traceFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  const visit = (path: string): void => {
    if (!existsSync(path)) throw new InputError(path, '$', 'no such file or directory');
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path).sort()) {
        const child = join(path, entry);
        if (statSync(child).isDirectory() || entry.endsWith('.json')) visit(child);
      }
    } else {
      files.push(path);
    }
  };
  paths.forEach(visit);
  return files;
}

export function readTrace(file: string): Trace {
  return parseTrace(readJsonFile(file), file);
}

/**
 * The corpus file name: for a failure, the invariant that fired plus a hash of its signature (one
 * file per distinct failure and profile: a profile other than K4_9 is named in the file and the
 * hash, so K4_9 names stay as they were); for a hand-written passing trace, the world's name plus
 * a hash of the world and ops.
 */
export function corpusFileName(trace: Trace): string {
  const failure = trace.failure;
  const profile = trace.world.profile;
  const profileTag = profile === 'K4_9' ? '' : `${profile.toLowerCase().replace('_', '')}-`;
  const key =
    failure === null
      ? JSON.stringify(traceToJson({ ...trace, results: null, found: null }))
      : signatureText(failure, trace.against) + (profileTag === '' ? '' : `|${profile}`);
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 8);
  const prefix = trace.against === 'impl' ? '' : `${trace.against.replace(/[^a-z0-9-]+/gi, '-')}-`;
  const label =
    failure === null
      ? `pass-${trace.world.name.replace(/[^a-z0-9-]+/gi, '-')}`
      : `${profileTag}${failure.invariant}`;
  return `${prefix}${label}-${hash}.json`;
}

/**
 * Writes `trace` into `directory` unless a file with the same failure signature is there
 * already (same name); returns the path and whether it was new. Never overwrites.
 */
export function saveTrace(directory: string, trace: Trace): { path: string; created: boolean } {
  mkdirSync(directory, { recursive: true });
  const path = join(directory, corpusFileName(trace));
  if (existsSync(path)) return { path, created: false };
  writeFileAtomic(path, traceToText(trace));
  return { path, created: true };
}

export type ReplayStatus = 'pass' | 'failing' | 'diverged';

export interface ReplayReport {
  file: string;
  status: ReplayStatus;
  /** One line saying why, for anything but a plain pass. */
  detail: string;
  outcome: RunOutcome;
}

function sameResults(recorded: readonly StepResult[], actual: readonly StepResult[]): number {
  const length = Math.max(recorded.length, actual.length);
  for (let i = 0; i < length; i++) {
    if (JSON.stringify(recorded[i]) !== JSON.stringify(actual[i])) return i;
  }
  return -1;
}

/** Replays one trace against its implementation and judges the outcome. */
export function replayTrace(
  file: string,
  trace: Trace,
  options: RunOptions = DEFAULT_RUN_OPTIONS,
): ReplayReport {
  const implementations = implementationsFor(trace.against);
  if (implementations === null) {
    throw new InputError(
      file,
      '$.against',
      `unknown implementation '${trace.against}' (known: ${knownImplementations().join(', ')})`,
    );
  }
  const outcome = runTrace(trace.world, trace.ops, implementations, options);
  const failure = outcome.failure;
  if (trace.expect === 'pass' && failure !== null) {
    return {
      file,
      status: 'failing',
      detail: `step ${failure.step}: ${failure.invariant} (${failure.side}): ${failure.explanation}`,
      outcome,
    };
  }
  if (trace.expect === 'fail') {
    if (failure === null)
      return {
        file,
        status: 'failing',
        detail: `expected ${trace.failure?.invariant} to fire; everything held`,
        outcome,
      };
    if (trace.failure !== null && !sameSignature(signatureOf(failure, trace.ops), trace.failure)) {
      return {
        file,
        status: 'failing',
        detail: `expected ${trace.failure.invariant} (${trace.failure.side}), got ${failure.invariant} (${failure.side}): ${failure.explanation}`,
        outcome,
      };
    }
  }
  if (trace.results !== null) {
    const step = sameResults(trace.results, outcome.results);
    if (step >= 0) {
      return {
        file,
        status: 'diverged',
        detail: `step ${step}: recorded ${JSON.stringify(trace.results[step])}, replayed ${JSON.stringify(outcome.results[step])}`,
        outcome,
      };
    }
  }
  return { file, status: 'pass', detail: '', outcome };
}
