/**
 * `cmacheck render FILE`: a trace replayed step by step, one line per op with its result and,
 * under it, the pageblock map of the model after that op (type letter and free pages per block).
 */
import type { Trace } from '../harness/trace.ts';
import { implementationsFor } from '../harness/registry.ts';
import { DifferentialRun } from '../harness/runner.ts';
import { opLabel, pageblockFillLine, resultLabel } from './story.ts';

export function renderTrace(trace: Trace, file: string): string {
  const implementations = implementationsFor(trace.against);
  if (implementations === null) throw new Error(`unknown implementation ${trace.against}`);
  const run = new DifferentialRun(trace.world, implementations.model(), implementations.impl());
  const world = trace.world;
  const lines = [
    `trace ${file} · world ${world.name} (${world.pages} pages, maxOrder ${world.maxOrder}, ` +
      `pageblockOrder ${world.pageblockOrder}) · ${world.profile} · against ${trace.against} · expect ${trace.expect}`,
  ];
  const bootFailure = run.boot();
  lines.push(`   boot  ${pageblockFillLine(run.model.snapshot())}`);
  if (bootFailure !== null)
    return [...lines, `FAIL at boot: ${bootFailure.explanation}`].join('\n');
  for (let step = 0; step < trace.ops.length; step++) {
    const failure = run.step(trace.ops[step]);
    lines.push(
      `${failure === null ? ' ' : '>'} ${String(step).padStart(3)} ${opLabel(trace.ops[step])} -> ${resultLabel(run.results[step])}`,
    );
    lines.push(`        ${pageblockFillLine(run.model.snapshot())}`);
    if (failure !== null) {
      lines.push(
        `FAIL ${failure.invariant} (${failure.side}): ${failure.explanation}`,
        ...failure.details.slice(0, 6).map((d) => `  ${d}`),
      );
      break;
    }
  }
  return lines.join('\n');
}
