/**
 * cmacheck command line. Exit codes: 0 all holds, 1 a failure was found, 2 a usage or input
 * error (printed as `file: $.path: reason`, never a stack trace).
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { ModelAllocator } from '../../model/allocator.ts';
import { InputError } from '../core/inputError.ts';
import { parseWorld } from '../core/worldParse.ts';
import { formatPages, renderState } from '../render/state.ts';
import { readJsonFile } from '../core/files.ts';

const DEFAULT_WORLD = fileURLToPath(new URL('../../worlds/default.json', import.meta.url));

const USAGE = `usage: cmacheck [boot] [--world FILE]
  boot            boot a world and print its state (free lists, pageblocks, CMA areas)
  --world FILE    world JSON (default: worlds/default.json)`;

class UsageError extends Error {}

function bootCommand(worldFile: string): number {
  const world = parseWorld(readJsonFile(worldFile), worldFile);
  const model = new ModelAllocator();
  const report = model.boot(world);
  console.log(`world ${world.name} · ${world.profile} · ${world.pages} pages (${formatPages(world.pages)})`
    + ` · maxOrder ${world.maxOrder} · pageblockOrder ${world.pageblockOrder} · pcp ${world.pcp}`);
  for (const message of report.messages) console.log(`  [boot] ${message}`);
  console.log(renderState(model.snapshot()));
  return 0;
}

function run(argv: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { world: { type: 'string' }, help: { type: 'boolean' } } });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  const [command = 'boot', ...rest] = parsed.positionals;
  if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
  if (command !== 'boot') throw new UsageError(`unknown command '${command}'`);
  return bootCommand(parsed.values.world ?? DEFAULT_WORLD);
}

function main(): void {
  try {
    process.exitCode = run(process.argv.slice(2));
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

main();
