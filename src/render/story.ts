/**
 * A trace told as a story (STYLE G13): verdict, replay command, one line per step with its
 * result, the failing step marked `>`, a pageblock map with free pages per block, the localized
 * difference and a hint — readable in a CI log without opening any JSON.
 */
import { match } from 'ts-pattern';
import type { OpResult } from '../core/allocator.ts';
import type { Op } from '../core/op.ts';
import type { Snapshot } from '../core/snapshot.ts';
import type { Failure, RunOutcome, StepResult } from '../harness/runner.ts';
import type { Trace } from '../harness/trace.ts';

export function opLabel(op: Op): string {
  return match(op)
    .with({ kind: 'alloc' }, (o) => `alloc order=${o.order} ${o.migratetype}`)
    .with({ kind: 'cmaAlloc' }, (o) => `cmaAlloc area=${o.area} count=${o.count} align=${o.align}`)
    .with({ kind: 'dmaAlloc' }, (o) => `dmaAlloc device=${o.device} size=${o.size}`)
    .with(
      { kind: 'free' },
      { kind: 'cmaRelease' },
      { kind: 'dmaFree' },
      { kind: 'pin' },
      { kind: 'unpin' },
      { kind: 'write' },
      { kind: 'check' },
      (o) => `${o.kind} #${o.target}`,
    )
    .exhaustive();
}

export function resultLabel(result: StepResult | undefined): string {
  if (result === undefined) return '';
  if ('skipped' in result) return `skipped (${result.skipped})`;
  return opResultLabel(result);
}

function opResultLabel(result: OpResult): string {
  if (!result.ok) return `failed ${result.reason ?? ''}`.trimEnd();
  return result.pfn === undefined ? 'ok' : `pfn ${result.pfn}`;
}

/** `M 12/16 · C 16/16`: each pageblock's letter and its free pages out of its size. */
export function pageblockFillLine(snapshot: Snapshot): string {
  const blockPages = 1 << snapshot.pageblockOrder;
  const free = new Uint32Array(snapshot.pageblocks.length);
  let freeTotal = 0;
  for (const zone of snapshot.zones) {
    zone.freeLists.forEach((lists, order) => {
      for (const list of lists) {
        for (const pfn of list) {
          for (let page = pfn; page < pfn + (1 << order); page++)
            free[Math.floor(page / blockPages)]++;
          freeTotal += 1 << order;
        }
      }
    });
  }
  const blocks = [...snapshot.pageblocks].map(
    (letter, block) => `${letter} ${free[block]}/${blockPages}`,
  );
  const shown =
    blocks.length > 16 ? [...blocks.slice(0, 16), `… ${blocks.length - 16} more`] : blocks;
  return `pageblocks  ${shown.join(' · ')}  => ${freeTotal} free of ${snapshot.pages} pages`;
}

export function stepLines(
  ops: readonly Op[],
  results: readonly StepResult[],
  failingStep: number,
): string[] {
  const labels = ops.map(opLabel);
  const width = Math.max(0, ...labels.map((label) => label.length));
  return labels.map((label, step) => {
    const marker = step === failingStep ? '>' : ' ';
    return `${marker} ${String(step).padStart(2)} ${label.padEnd(width)}  -> ${resultLabel(results[step])}`;
  });
}

export interface StoryContext {
  trace: Trace;
  outcome: RunOutcome;
  /** Snapshot of the failing side after the failing step, for the pageblock picture. */
  snapshot: Snapshot | null;
  file: string | null;
}

function hint(failure: Failure, against: string): string {
  if (failure.kind === 'crash')
    return `${failure.side} threw: an assertion in the code (or a missing case) stopped it`;
  if (failure.side === 'model' || failure.side === 'both') {
    return 'the model breaks it too: check the invariant against the kernel rule, or the model against the kernel source';
  }
  if (failure.kind === 'disagreement')
    return `model and ${against} chose differently; the model cites the kernel function it follows`;
  return `only ${failure.side} fails; the model follows the kernel here`;
}

export function renderStory({ trace, outcome, snapshot, file }: StoryContext): string {
  const failure = outcome.failure;
  const world = trace.world;
  const seed = trace.found?.seed ?? null;
  const where =
    failure === null
      ? 'all held'
      : `${failure.invariant} (${failure.side}) at step ${failure.step} of ${trace.ops.length}`;
  const lines = [
    `${failure === null ? 'PASS' : 'FAIL'} ${where} · world ${world.name}-${world.pages} · ${world.profile}` +
      `${seed === null ? '' : ` · seed ${seed}`}${trace.found?.shrinkRuns ? ` · shrunk in ${trace.found.shrinkRuns} runs` : ''}`,
  ];
  if (file !== null) lines.push(`replay: npx cmacheck replay ${file}`);
  lines.push(...stepLines(trace.ops, outcome.results, failure?.step ?? -1));
  if (failure !== null) {
    lines.push(`  ${failure.explanation}`);
    if (snapshot !== null) lines.push(`  ${pageblockFillLine(snapshot)}`);
    for (const detail of failure.details.slice(0, 6)) lines.push(`  ${detail}`);
    if (failure.details.length > 6) lines.push(`  … ${failure.details.length - 6} more`);
    lines.push(`hint: ${hint(failure, trace.against)}`);
  }
  return lines.join('\n');
}
