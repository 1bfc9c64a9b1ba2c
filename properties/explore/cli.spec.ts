/**
 * `cmacheck explore` as a user or CI runs it: the same output twice, EXHAUSTED only when the
 * space was exhausted, a mutant's violation told as a story, saved and exit 1, flag errors exit
 * 2, Ctrl-C exit 130 with the summary. Spawned through main.ts where the wiring matters, called
 * in process otherwise (each spawn costs a second of start-up).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { parseFlags } from '../../src/cli/args.ts';
import {
  EXPLORE_FLAGS,
  exploreCommand,
  readExploreSettings,
} from '../../src/cli/exploreCommand.ts';
import { loadZoo } from '../../zoo/index.ts';

loadZoo();
const dir = mkdtempSync(join(tmpdir(), 'cmacheck-explore-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
});

function cmacheck(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('npx', ['tsx', 'src/cli/main.ts', 'explore', ...args], {
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Runs the command in this process and returns its exit status and stdout. */
async function inProcess(...args: string[]): Promise<{ status: number; stdout: string }> {
  const printed: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((text: string) => void printed.push(text));
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
  const status = await exploreCommand(parseFlags(args, EXPLORE_FLAGS));
  return { status, stdout: printed.join('\n') };
}

describe('cmacheck explore', () => {
  it('says EXHAUSTED when every state was expanded, the same way twice', () => {
    const args = [
      '--world',
      'worlds/explore-tiny.json',
      '--depth',
      'none',
      '--migratetypes',
      'MOVABLE',
      '--op-kinds',
      'alloc,free',
    ];
    const first = cmacheck(...args);
    const second = cmacheck(...args);
    expect(first.status).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(first.stdout).toContain('unique=900 depth=12 queue=0 exhausted=true\n');
    expect(first.stdout).toContain('EXHAUSTED');
    expect(first.stderr).toMatch(/distinct states\/s/);
  });

  it('--impl-alone visits the same states without the model, and says so', async () => {
    const args = ['--world', 'worlds/explore-tiny.json', '--depth', 'none', '--migratetypes',
      'MOVABLE', '--op-kinds', 'alloc,free'];
    expect(readExploreSettings(parseFlags(args, EXPLORE_FLAGS)).sides).toBe('both');
    const alone = await inProcess(...args, '--impl-alone');
    expect(alone.status).toBe(0);
    expect(alone.stdout).toContain('unique=900 depth=12 queue=0 exhausted=true\n');
    expect(alone.stdout).toContain('forked by: model none');
    expect(alone.stdout).toContain('holds every invariant on impl alone (no model ran)');
    expect(alone.stdout).toContain('behaviours reached (impl, every op applied)');
  });

  it('rejects bad flags with exit 2, saying which flag and why', () => {
    const run = cmacheck('--op-kinds', 'alloc,teleport');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("--op-kinds: unknown 'teleport'");
    const settings = (...args: string[]): unknown =>
      readExploreSettings(parseFlags(args, EXPLORE_FLAGS));
    expect(() => settings('--depth', '1001')).toThrow(/--depth: expected an integer 0\.\.1000/);
    expect(() => settings('--max-states', 'lots')).toThrow(/--max-states: expected an integer/);
    expect(() => settings('--against', 'zoo:nope')).toThrow(/unknown implementation 'zoo:nope'/);
    expect(() => settings('--migratetypes', '')).toThrow(/--migratetypes: expected at least one/);
    expect(() => settings('--shard', '2/2')).toThrow(/--shard/);
    expect(() => settings('extra')).toThrow(/unexpected argument 'extra'/);
  });
});

describe('cmacheck explore in process', () => {
  it('tells and saves the shortest violation of a mutant, and exits 1', async () => {
    const corpus = join(dir, 'corpus');
    const world = join(dir, 'no-cma.json');
    writeFileSync(
      world,
      JSON.stringify({
        name: 'no-cma',
        pages: 16,
        maxOrder: 2,
        pageblockOrder: 2,
        mobilityGroupingDisabled: false,
      }),
    );
    const run = await inProcess(
      '--world',
      world,
      '--against',
      'zoo:wrong-free-list',
      '--corpus',
      corpus,
    );
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('VIOLATION after 2 ops');
    expect(run.stdout).toMatch(/FAIL model-impl-agree \(both\) at step 1 of 2/);
    expect(run.stdout).toContain('   0 alloc order=0 UNMOVABLE');
    expect(run.stdout).toContain('>  1 free #0');
    const files = readdirSync(corpus);
    expect(files).toHaveLength(1);
    expect(run.stdout).toContain(`saved ${join(corpus, files[0])}`);
  });

  it('stops on Ctrl-C with exit 130 and the summary', async () => {
    const listeners = process.listenerCount('SIGINT');
    // The timer can only fire once exploreAsync yields, after the command installed its handler.
    setTimeout(() => process.emit('SIGINT'), 300);
    const run = await inProcess('--depth', 'none');
    expect(run.status).toBe(130);
    expect(run.stdout).toContain('exhausted=false bounded=interrupted');
    expect(run.stdout).toContain('INTERRUPTED');
    expect(process.listenerCount('SIGINT')).toBe(listeners);
  });
});
