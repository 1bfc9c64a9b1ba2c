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
import { worldToJson } from '../core/worldJson.ts';
import { readTrace } from '../harness/corpus.ts';
import { formatPages, renderState } from '../render/state.ts';
import { renderTrace } from '../render/traceRender.ts';
import { type Parsed, UsageError, parseFlags, profileFlag, stringFlag } from './args.ts';
import { CAMPAIGN_FLAGS, campaignCommand } from './campaignCommand.ts';
import { EXPLORE_FLAGS, EXPLORE_USAGE, exploreCommand } from './exploreCommand.ts';
import { REPLAY_FLAGS, REPLAY_USAGE, replayCommand } from './replayCommand.ts';
import { ZOO_FLAGS, ZOO_USAGE, zooCommand } from './zooCommand.ts';

const DEFAULT_WORLD = fileURLToPath(new URL('../../worlds/default.json', import.meta.url));

const USAGE = `usage:
  cmacheck [campaign] [--time 30s] [--seed N] [--runs N] [--profile K4_9|K6_1|all]
           [--world FILE] [--workers N] [--shard i/n] [--json FILE] [--junit FILE]
           [--corpus DIR] [--ops N] [--check-every K] [--against impl|zoo:NAME]
      replay the corpus, then check model against impl on generated traces (--profile: the
      profile of the drawn worlds, all: drawn per run; with --world, the world switched to it)
${EXPLORE_USAGE}
${ZOO_USAGE}
${REPLAY_USAGE}
  cmacheck render FILE        a trace step by step with a pageblock map after each op
  cmacheck state [--world FILE] [--profile K4_9|K6_1]
                              boot a world (switched to the profile) and print its free
                              lists, pageblocks and CMA areas
profiles: K4_9 (Linux 4.9.45, the default), K6_1 (6.1.20); README "Profiles"
exit status: 0 all held, 1 a failure, 2 usage or input error, 130 interrupted`;

const STATE_FLAGS = { world: { type: 'string' }, profile: { type: 'string' } } as const;

function stateCommand(parsed: Parsed): number {
  if (parsed.positionals.length > 0)
    throw new UsageError(`state: unexpected argument '${parsed.positionals[0]}'`);
  const worldFile = stringFlag(parsed, 'world') ?? DEFAULT_WORLD;
  let world = parseWorld(readJsonFile(worldFile), worldFile);
  const profile = profileFlag(parsed, false);
  if (profile !== undefined) world = parseWorld({ ...worldToJson(world), profile }, worldFile);
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
      return replayCommand(parseFlags(rest, REPLAY_FLAGS));
    case 'render':
      return renderCommand(parseFlags(rest, {}));
    case 'state':
      return stateCommand(parseFlags(rest, STATE_FLAGS));
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
