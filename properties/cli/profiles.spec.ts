/**
 * `--profile` on the commands that take one world or trace (`state`, `replay`, `explore`): the
 * world is switched to the profile; an unknown profile is a usage error naming the flag and
 * the choices (exit 2); `replay --profile` replays another profile's trace as a plain op
 * sequence and lists a world the profile makes illegal instead of crashing.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseFlags } from '../../src/cli/args.ts';
import { EXPLORE_FLAGS, readExploreSettings } from '../../src/cli/exploreCommand.ts';

function cmacheck(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('npx', ['tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

// A K4_9 zoo trace whose 2-page area K6_1 refuses to declare, and a K4_9 pass trace.
const refusedUnderK61 = 'counterexamples/zoo-cma-bits-floor-cma-bitmap-47281b1f.json';
const passK49 = 'counterexamples/pass-stale-frames-b839a6bb.json';

describe('--profile on state, replay and explore', () => {
  it.each([
    ['state', []],
    ['replay', [passK49]],
  ])('%s refuses an unknown profile with exit 2, naming the flag and the choices', (cmd, rest) => {
    const run = cmacheck(cmd, '--profile', 'K5_10', ...rest);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("cmacheck: --profile: expected one of K4_9, K6_1");
    expect(run.stderr).toContain("got 'K5_10'");
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('state boots the world under the profile', () => {
    const run = cmacheck('state', '--world', 'worlds/explore-tiny.json', '--profile', 'K6_1');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('world explore-tiny · K6_1 · 8 pages');
  });

  it('replay under another profile: pass when model and impl agree, n/a when illegal', () => {
    const run = cmacheck('replay', '--profile', 'K6_1', refusedUnderK61, passK49);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`N/A      ${refusedUnderK61} (K4_9 trace under K6_1): not a legal`
      + ' K6_1 world: $.ops[0].area: ');
    expect(run.stdout).toContain(`PASS     ${passK49} (K4_9 trace under K6_1)\n`);
    expect(run.stdout).toContain('replay under K6_1: 1 pass · 0 failing · 0 diverged'
      + ' · 1 not legal K6_1 worlds');
    // Under its own profile a trace replays as recorded: the zoo trace fails as recorded.
    const own = cmacheck('replay', '--profile', 'K4_9', refusedUnderK61);
    expect(own.status).toBe(0);
    expect(own.stdout).toContain(`PASS     ${refusedUnderK61} (fails as recorded: cma-bitmap`);
  });

  it('explore switches the world to the profile, and refuses an unknown one', () => {
    const settings = (...args: string[]) => readExploreSettings(parseFlags(args, EXPLORE_FLAGS));
    const world = settings('--world', 'worlds/explore-tiny.json', '--profile', 'K6_1').world;
    expect(world.profile).toBe('K6_1');
    expect(world.name).toBe('explore-tiny');
    expect(settings('--world', 'worlds/explore-tiny.json').world.profile).toBe('K4_9');
    expect(() => settings('--profile', 'all'))
      .toThrow("--profile: expected one of K4_9, K6_1, got 'all'");
  });
});
