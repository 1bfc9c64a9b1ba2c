/**
 * The trace file: a world, its ops and what is expected of them — the corpus format, the
 * renderer's input and what `cmacheck replay` reads. Versioned; a reader rejects what it does not
 * know with the file, JSON path and reason.
 */
import type { OpResult } from '../core/allocator.ts';
import { type Json, JsonReader } from '../core/json.ts';
import type { Op } from '../core/op.ts';
import { parseOps } from '../core/opParse.ts';
import { FAILURE_REASONS } from '../core/result.ts';
import { INVARIANT_IDS, type InvariantId } from '../core/violation.ts';
import type { World } from '../core/world.ts';
import { worldToJson } from '../core/worldJson.ts';
import { parseWorld } from '../core/worldParse.ts';
import { declareLayout } from '../../model/boot/layout.ts';
import type { Failure, FailureKind, StepResult } from './runner.ts';

export const TRACE_FORMAT = 'cmacheck-trace';
export const TRACE_VERSION = 1;

/** The part of a failure that says "the same bug": what fired, where, on which kind of op. */
export interface FailureSignature {
  invariant: InvariantId;
  side: string;
  kind: FailureKind;
  /** Kind of the op at the failing step ('boot' before any op). */
  opKind: string;
}

export interface Provenance {
  by: 'campaign' | 'explore' | 'hand';
  seed: number | null;
  run: number | null;
  opsBeforeShrink: number | null;
  shrinkRuns: number | null;
}

export interface Trace {
  world: World;
  ops: Op[];
  /** Which implementation the trace is replayed against: 'impl' or a zoo mutant 'zoo:<name>'. */
  against: string;
  /** 'pass': model and `against` agree and every invariant holds; 'fail': the recorded failure. */
  expect: 'pass' | 'fail';
  failure: (FailureSignature & { step: number; explanation: string }) | null;
  /** Step results recorded when the file was written (the model's); a replay that differs diverges. */
  results: StepResult[] | null;
  found: Provenance | null;
}

export function signatureOf(failure: Failure, ops: readonly Op[]): FailureSignature {
  const opKind = failure.step < 0 ? 'boot' : (ops[failure.step]?.kind ?? 'end');
  return { invariant: failure.invariant, side: failure.side, kind: failure.kind, opKind };
}

export function sameSignature(a: FailureSignature, b: FailureSignature): boolean {
  return (
    a.invariant === b.invariant && a.side === b.side && a.kind === b.kind && a.opKind === b.opKind
  );
}

export function signatureText(signature: FailureSignature, against: string): string {
  return `${against}|${signature.invariant}|${signature.side}|${signature.kind}|${signature.opKind}`;
}

function resultToJson(result: StepResult): Json {
  if ('skipped' in result) return { skipped: result.skipped };
  const json: { [key: string]: Json } = { ok: result.ok };
  if (result.pfn !== undefined) json.pfn = result.pfn;
  if (result.reason !== undefined) json.reason = result.reason;
  return json;
}

export function traceToJson(trace: Trace): Json {
  return {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    against: trace.against,
    expect: trace.expect,
    failure: trace.failure === null ? null : { ...trace.failure },
    found: trace.found === null ? null : { ...trace.found },
    world: worldToJson(trace.world),
    ops: trace.ops.map((op) => ({ ...op })),
    results: trace.results === null ? null : trace.results.map(resultToJson),
  };
}

/** Compact, stable text: one op or result per line, so corpus diffs read well. */
export function traceToText(trace: Trace): string {
  const json = traceToJson(trace) as { [key: string]: Json };
  const lines = Object.entries(json).map(([key, value]) => {
    if ((key === 'ops' || key === 'results') && Array.isArray(value)) {
      const items = value.map((item) => `    ${JSON.stringify(item)}`).join(',\n');
      return `  ${JSON.stringify(key)}: [${value.length === 0 ? '' : `\n${items}\n  `}]`;
    }
    return `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`;
  });
  return `{\n${lines.join(',\n')}\n}\n`;
}

const TRACE_KEYS = [
  'format',
  'version',
  'against',
  'expect',
  'failure',
  'found',
  'world',
  'ops',
  'results',
];

function parseResult(reader: JsonReader): StepResult {
  const object = reader.object();
  if ('skipped' in object) return { skipped: reader.field('skipped').string() };
  reader.onlyKeys(['ok', 'pfn', 'reason']);
  const result: OpResult = { ok: reader.field('ok').boolean() };
  if (!reader.field('pfn').isMissing())
    result.pfn = reader.field('pfn').integer(0, Number.MAX_SAFE_INTEGER, 'pfn');
  if (!reader.field('reason').isMissing())
    result.reason = reader.field('reason').oneOf(FAILURE_REASONS);
  return result;
}

function parseFailure(reader: JsonReader): Trace['failure'] {
  if (reader.value === null || reader.isMissing()) return null;
  reader.onlyKeys(['invariant', 'side', 'kind', 'opKind', 'step', 'explanation']);
  return {
    invariant: reader.field('invariant').oneOf(INVARIANT_IDS),
    side: reader.field('side').string(),
    kind: reader.field('kind').oneOf(['violation', 'disagreement', 'crash'] as const),
    opKind: reader.field('opKind').string(),
    step: reader.field('step').integer(-1, Number.MAX_SAFE_INTEGER, 'op index'),
    explanation: reader.field('explanation').stringOr(''),
  };
}

function parseProvenance(reader: JsonReader): Provenance | null {
  if (reader.value === null || reader.isMissing()) return null;
  reader.onlyKeys(['by', 'seed', 'run', 'opsBeforeShrink', 'shrinkRuns']);
  const optional = (key: string): number | null => {
    const field = reader.field(key);
    return field.isMissing() || field.value === null
      ? null
      : field.integer(0, Number.MAX_SAFE_INTEGER);
  };
  return {
    by: reader.field('by').oneOf(['campaign', 'explore', 'hand'] as const),
    seed: optional('seed'),
    run: optional('run'),
    opsBeforeShrink: optional('opsBeforeShrink'),
    shrinkRuns: optional('shrinkRuns'),
  };
}

export function parseTrace(value: unknown, file: string): Trace {
  const reader = new JsonReader(file, '$', value);
  reader.onlyKeys(TRACE_KEYS);
  if (reader.field('format').string() !== TRACE_FORMAT)
    reader.field('format').fail(`expected '${TRACE_FORMAT}'`);
  reader.field('version').integer(1, TRACE_VERSION, 'trace format version');
  const world = parseWorld(reader.field('world').value, file, '$.world');
  const ops = parseOps(reader.field('ops'), {
    world,
    cmaAreaCount: declareLayout(world).areas.length,
  });
  const results = reader.field('results');
  const expect = reader.field('expect').oneOf(['pass', 'fail'] as const);
  const failure = parseFailure(reader.field('failure'));
  if (expect === 'fail' && failure === null)
    reader.field('failure').fail("expect 'fail' needs the recorded failure");
  return {
    world,
    ops,
    against: reader.field('against').stringOr('impl'),
    expect,
    failure,
    results:
      results.isMissing() || results.value === null ? null : results.items().map(parseResult),
    found: parseProvenance(reader.field('found')),
  };
}
