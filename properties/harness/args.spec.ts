import { describe, expect, it } from 'vitest';
import {
  UsageError, durationFlag, integerFlag, parseFlags, profileFlag, shardFlag,
} from '../../src/cli/args.ts';

const spec = { time: { type: 'string' }, seed: { type: 'string' }, shard: { type: 'string' } } as const;

describe('command-line flags', () => {
  it('rejects an unknown flag as a usage error', () => {
    expect(() => parseFlags(['--colour', 'red'], spec)).toThrow(UsageError);
  });

  it.each([['30', 30_000], ['30s', 30_000], ['2m', 120_000], ['1h', 3_600_000], ['250ms', 250], ['1.5s', 1500]])(
    'reads the duration %s', (text, ms) => {
      expect(durationFlag(parseFlags(['--time', text], spec), 'time')).toBe(ms);
    });

  it.each(['soon', '1d', '3 days'])('rejects the duration %s', (text) => {
    expect(() => durationFlag(parseFlags(['--time', text], spec), 'time')).toThrow(/--time: expected a duration/);
  });

  it('checks integer ranges and shard syntax', () => {
    expect(integerFlag(parseFlags(['--seed', '42'], spec), 'seed', 0, 100)).toBe(42);
    expect(() => integerFlag(parseFlags(['--seed', '420'], spec), 'seed', 0, 100)).toThrow('--seed: expected an integer 0..100, got 420');
    expect(() => integerFlag(parseFlags(['--seed', '4x'], spec), 'seed', 0, 100)).toThrow("--seed: expected an integer, got '4x'");
    expect(shardFlag(parseFlags(['--shard', '2/3'], spec), 'shard')).toEqual({ index: 2, count: 3 });
    expect(() => shardFlag(parseFlags(['--shard', '3/3'], spec), 'shard')).toThrow('--shard: expected i/n with 0 ≤ i < n');
  });

  it('reads --profile, and names the flag and the choices when the value is no profile', () => {
    const flags = { profile: { type: 'string' } } as const;
    const profile = (args: string[], allowAll: boolean) => allowAll
      ? profileFlag(parseFlags(args, flags), true)
      : profileFlag(parseFlags(args, flags), false);
    expect(profile(['--profile', 'K6_1'], false)).toBe('K6_1');
    expect(profile(['--profile', 'all'], true)).toBe('all');
    expect(profile([], true)).toBeUndefined();
    expect(() => profile(['--profile', 'all'], false)).toThrow(UsageError);
    expect(() => profile(['--profile', 'all'], false))
      .toThrow("--profile: expected one of K4_9, K6_1, got 'all'");
    expect(() => profile(['--profile', 'k6_1'], true))
      .toThrow("--profile: expected one of K4_9, K6_1, all, got 'k6_1'");
  });
});
