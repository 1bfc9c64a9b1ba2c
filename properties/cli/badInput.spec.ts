/**
 * Bad input never crashes the command: each case exits 2 with `file: $.path: reason` (or the
 * usage), prints no stack trace, and leaves existing files as they were.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'cmacheck-bad-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cmacheck(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('npx', ['tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function traceFile(name: string, body: object | string): string {
  const path = join(dir, name);
  writeFileSync(path, typeof body === 'string' ? body : JSON.stringify(body));
  return path;
}

const world = { pages: 64, maxOrder: 2 };
const trace = (ops: object[]) => ({ format: 'cmacheck-trace', version: 1, expect: 'pass', world, ops });

describe('bad input: a clear error and exit 2', () => {
  it.each([
    ['malformed JSON', 'broken.json', '{"format": "cmacheck-trace", ', '$: malformed JSON'],
    ['an unknown op', 'op.json', trace([{ kind: 'steal', order: 0 }]), "$.ops[0].kind: expected one of 'alloc'"],
    ['an order out of range', 'order.json', trace([{ kind: 'alloc', order: 9, migratetype: 'MOVABLE' }]),
      '$.ops[0].order: expected integer 0..2 (maxOrder), got 9'],
    ['a target that never existed', 'target.json',
      trace([{ kind: 'alloc', order: 0, migratetype: 'MOVABLE' }, { kind: 'free', target: 7 }]),
      '$.ops[1].target: expected integer 0..0 (index of an earlier op), got 7'],
    ['a CMA area outside memory', 'world.json', { ...trace([]), world: { ...world, cma: [{ base: 60, size: 16 }] } },
      '$.world.cma[0].size: area [60, 76) lies outside memory [0, 64)'],
    ['a recorded result with a reason no op fails with', 'reason.json',
      { ...trace([{ kind: 'alloc', order: 0, migratetype: 'MOVABLE' }]), results: [{ ok: false, reason: 'EBUSY' }] },
      "$.results[0].reason: expected one of 'ENOMEM'"],
  ])('replay of %s', (_what, name, body, message) => {
    const path = traceFile(name, body);
    const before = readFileSync(path, 'utf8');
    const run = cmacheck('replay', path);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`cmacheck: ${path}: ${message}`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('an unknown flag prints the usage', () => {
    const run = cmacheck('--colour', 'red');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("cmacheck: Unknown option '--colour'");
    expect(run.stderr).toContain('usage:');
  });

  it('a bad world file for the campaign, and a corpus file that cannot be read, leave the corpus untouched', () => {
    const worldFile = traceFile('bad-world.json', { pages: 64, maxOrder: 12 });
    const run = cmacheck('--world', worldFile, '--runs', '1');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`${worldFile}: $.maxOrder: expected integer 0..10`);
    const corpus = mkdtempSync(join(dir, 'corpus-'));
    const broken = traceFile(join(corpus.slice(dir.length + 1), 'x.json'), '{"format": 1');
    const campaign = cmacheck('--runs', '1', '--corpus', corpus);
    expect(campaign.status).toBe(2);
    expect(campaign.stderr).toContain(`${broken}: $: malformed JSON`);
    expect(readFileSync(broken, 'utf8')).toBe('{"format": 1');
  });
});
