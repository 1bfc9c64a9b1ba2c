/**
 * `cmacheck explore` as a user or CI runs it: the same output twice, EXHAUSTED only when the
 * space was exhausted, a mutant's violation told as a story, saved and exit 1, flag errors exit
 * 2, Ctrl-C exit 130 with the summary.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseFlags } from '../../src/cli/args.ts';
import { EXPLORE_FLAGS, readExploreSettings } from '../../src/cli/exploreCommand.ts';
import { loadZoo } from '../../zoo/index.ts';

loadZoo();

const dir = mkdtempSync(join(tmpdir(), 'cmacheck-explore-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cmacheck(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('npx', ['tsx', 'src/cli/main.ts', 'explore', ...args], {
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('cmacheck explore', () => {
  it('prints the same thing twice, and says bounded, never a pass, at the depth bound', () => {
    const first = cmacheck('--depth', '2');
    const second = cmacheck('--depth', '2');
    expect(first.status).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(first.stdout).toContain('unique=185 depth=2 queue=170 exhausted=false bounded=depth');
    expect(first.stdout).toContain('BOUNDED by depth');
    expect(first.stdout).not.toContain('EXHAUSTED');
    expect(first.stderr).toMatch(/distinct states\/s/);
  });

  it('says EXHAUSTED when every state was expanded', () => {
    const run = cmacheck(
      '--world',
      'worlds/explore-tiny.json',
      '--depth',
      'none',
      '--migratetypes',
      'MOVABLE',
      '--op-kinds',
      'alloc,free',
    );
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('unique=900 depth=12 queue=0 exhausted=true\n');
    expect(run.stdout).toContain('EXHAUSTED');
  });
});

describe('cmacheck explore on failures and errors', () => {
  it('tells and saves the shortest violation of a mutant, and exits 1', () => {
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
    const corpus = join(dir, 'corpus');
    const run = cmacheck('--world', world, '--against', 'zoo:wrong-free-list', '--corpus', corpus);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('VIOLATION after 2 ops');
    expect(run.stdout).toMatch(/FAIL model-impl-agree \(both\) at step 1 of 2/);
    expect(run.stdout).toContain('   0 alloc order=0 UNMOVABLE');
    expect(run.stdout).toContain('>  1 free #0');
    expect(readdirSync(corpus)).toHaveLength(1);
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

  it('stops on Ctrl-C with exit 130 and the summary', async () => {
    const child = spawn('node', ['bin/cmacheck.js', 'explore', '--depth', 'none'], {
      detached: true,
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    await new Promise((resolve) => setTimeout(resolve, 4000));
    process.kill(-(child.pid as number), 'SIGINT');
    const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(status).toBe(130);
    expect(stdout).toContain('exhausted=false bounded=interrupted');
    expect(stdout).toContain('INTERRUPTED');
  }, 30_000);
});
