/**
 * One `cmacheck zoo` worker thread: takes the next mutant (an index into MUTANTS, from a counter
 * shared by every worker, so a slow mutant does not hold up the others), runs the zoo on it and
 * posts the outcome back, until no mutant is left.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { MUTANTS } from './mutants.ts';
import { type ZooOptions, type ZooOutcome, runMutant } from './run.ts';

export interface ZooWorkerInput {
  /** One Int32: the index of the next mutant to run, shared by all workers. */
  next: SharedArrayBuffer;
  options: ZooOptions;
}

export type ZooWorkerMessage = { type: 'outcome'; index: number; outcome: ZooOutcome };

function main(input: ZooWorkerInput): void {
  const next = new Int32Array(input.next);
  for (;;) {
    const index = Atomics.add(next, 0, 1);
    if (index >= MUTANTS.length) return;
    const outcome = runMutant(MUTANTS[index], input.options, () => performance.now());
    parentPort?.postMessage({ type: 'outcome', index, outcome } satisfies ZooWorkerMessage);
  }
}

main(workerData as ZooWorkerInput);
