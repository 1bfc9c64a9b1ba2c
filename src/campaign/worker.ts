/**
 * One campaign worker thread: runs its share of the run indices and posts progress and the
 * result back. Stops between runs when the shared stop flag is set (Ctrl-C in the main thread).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { World } from '../core/world.ts';
import { implementationsFor } from '../harness/registry.ts';
import { type CampaignOptions, DEFAULT_CAMPAIGN_OPTIONS, runCampaign } from './campaign.ts';
import { loadZoo } from '../../zoo/index.ts';

export interface WorkerInput {
  seed: number;
  runs: number | null;
  timeMs: number | null;
  world: World | null;
  worldShape: CampaignOptions['worldShape'];
  opsPerRunMax: number;
  shardIndex: number;
  shardCount: number;
  against: string;
  fullCheckEvery: number;
  shrinkRunsMax: number;
  stopFlag: SharedArrayBuffer;
}

export type WorkerMessage =
  | { type: 'progress'; runs: number; ops: number; failures: number }
  | { type: 'done'; result: ReturnType<typeof runCampaign> };

function main(input: WorkerInput): void {
  loadZoo();
  const implementations = implementationsFor(input.against);
  if (implementations === null) throw new Error(`unknown implementation ${input.against}`);
  const stop = new Int32Array(input.stopFlag);
  const options: CampaignOptions = {
    ...DEFAULT_CAMPAIGN_OPTIONS,
    seed: input.seed,
    runs: input.runs,
    timeMs: input.timeMs,
    world: input.world,
    worldShape: input.worldShape,
    opsPerRunMax: input.opsPerRunMax,
    shardIndex: input.shardIndex,
    shardCount: input.shardCount,
    against: input.against,
    corpusDir: null,
    runOptions: { ...DEFAULT_CAMPAIGN_OPTIONS.runOptions, fullCheckEvery: input.fullCheckEvery },
    shrinkOptions: { ...DEFAULT_CAMPAIGN_OPTIONS.shrinkOptions, runsMax: input.shrinkRunsMax },
    shouldStop: () => Atomics.load(stop, 0) !== 0,
    onRunDone: (progress) => {
      if (progress.runs % 8 === 0)
        parentPort?.postMessage({ type: 'progress', ...progress } satisfies WorkerMessage);
    },
  };
  const result = runCampaign(options, implementations, () => performance.now());
  parentPort?.postMessage({ type: 'done', result } satisfies WorkerMessage);
}

main(workerData as WorkerInput);
