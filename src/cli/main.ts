/**
 * The cmacheck command line. Exit codes: 0 all holds, 1 a failure was found, 2 a usage or input
 * error (printed as `file: $.path: reason`, never a stack trace), 130 interrupted.
 */
import { fileURLToPath } from 'node:url';
import { ModelAllocator } from '../../model/allocator.ts';
import { loadZoo } from '../../zoo/index.ts';
import { readJsonFile } from '../core/files.ts';
import { InputError } from '../core/inputError.ts';
import { parseWorld } from '../core/worldParse.ts';
import { readTrace, replayTrace, traceFiles } from '../harness/corpus.ts';
import { formatPages, renderState } from '../render/state.ts';
import { renderStory } from '../render/story.ts';
import { renderTrace } from '../render/traceRender.ts';
import { type Parsed, UsageError, parseFlags, stringFlag } from './args.ts';
import { CAMPAIGN_FLAGS, campaignCommand } from './campaignCommand.ts';
import { EXPLORE_FLAGS, EXPLORE_USAGE, exploreCommand } from './exploreCommand.ts';
import { ZOO_FLAGS, ZOO_USAGE, zooCommand } from './zooCommand.ts';

const DEFAULT_WORLD = fileURLToPath(new URL('../../worlds/default.json', import.meta.url));

const USAGE = `usage:
  cmacheck [campaign] [--time 30s] [--seed N] [--runs N] [--profile K4_9] [--world FILE]
           [--workers N] [--shard i/n] [--json FILE] [--junit FILE] [--corpus DIR]
           [--ops N] [--check-every K] [--against impl|zoo:NAME]
      replay the corpus, then check model against impl on generated traces
${EXPLORE_USAGE}
${ZOO_USAGE}
  cmacheck replay PATH...     replay corpus files or directories: pass / failing / diverged
  cmacheck render FILE        a trace step by step with a pageblock map after each op
  cmacheck state [--world FILE]
                              boot a world and print its free lists, pageblocks and CMA areas
exit status: 0 all held, 1 a failure, 2 usage or input error, 130 interrupted`;

function stateCommand(parsed: Parsed): number {
  const worldFile = stringFlag(parsed, 'world') ?? DEFAULT_WORLD;
  const world = parseWorld(readJsonFile(worldFile), worldFile);
  const model = new ModelAllocator();
  const report = model.boot(world);
  console.log(
    `world ${world.name} · ${world.profile} · ${world.pages} pages (${formatPages(world.pages)})` +
      ` · maxOrder ${world.maxOrder} · pageblockOrder ${world.pageblockOrder} · pcp ${world.pcp}`,
  );
  for (const message of report.messages) console.log(`  [boot] ${message}`);
  console.log(renderState(model.snapshot()));
  return 0;
}

function replayCommand(parsed: Parsed): number {
  if (parsed.positionals.length === 0)
    throw new UsageError('replay needs at least one file or directory');
  let bad = 0;
  for (const file of traceFiles(parsed.positionals)) {
    const trace = readTrace(file);
    const report = replayTrace(file, trace);
    const recorded =
      trace.expect === 'fail' && report.status === 'pass'
        ? ` (fails as recorded: ${trace.failure?.invariant} on ${trace.against})`
        : '';
    console.log(
      `${report.status.toUpperCase().padEnd(8)} ${file}${recorded}${report.detail === '' ? '' : `: ${report.detail}`}`,
    );
    if (report.status === 'pass') continue;
    bad++;
    console.log(
      renderStory({ trace, outcome: report.outcome, snapshot: null, file })
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
    );
  }
  return bad === 0 ? 0 : 1;
}

function renderCommand(parsed: Parsed): number {
  if (parsed.positionals.length !== 1) throw new UsageError('render needs exactly one trace file');
  const file = parsed.positionals[0];
  console.log(renderTrace(readTrace(file), file));
  return 0;
}

async function run(argv: string[]): Promise<number> {
  const first = argv[0];
  const command = first === undefined || first.startsWith('-') ? 'campaign' : first;
  const rest = command === first ? argv.slice(1) : argv;
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  switch (command) {
    case 'campaign':
      return campaignCommand(parseFlags(rest, CAMPAIGN_FLAGS));
    case 'explore':
      return exploreCommand(parseFlags(rest, EXPLORE_FLAGS));
    case 'zoo':
      return zooCommand(parseFlags(rest, ZOO_FLAGS));
    case 'replay':
      return replayCommand(parseFlags(rest, {}));
    case 'render':
      return renderCommand(parseFlags(rest, {}));
    case 'state':
      return stateCommand(parseFlags(rest, { world: { type: 'string' } }));
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

async function main(): Promise<void> {
  loadZoo();
  try {
    process.exitCode = await run(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`cmacheck: ${error.message}\n${USAGE}`);
      process.exitCode = 2;
    } else if (error instanceof InputError) {
      console.error(`cmacheck: ${error.message}`);
      process.exitCode = 2;
    } else {
      throw error;
    }
  }
}

await main();
