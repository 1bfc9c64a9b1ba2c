/**
 * Flag parsing on top of node:util parseArgs (strict: an unknown flag is a usage error), with
 * value checks that say which flag and why.
 */
import { parseArgs } from 'node:util';
import { PROFILES, type Profile } from '../core/world.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parseFlags(argv: string[], spec: FlagSpec): Parsed {
  try {
    const parsed = parseArgs({ args: argv, options: spec, allowPositionals: true, strict: true });
    return { values: parsed.values as Parsed['values'], positionals: parsed.positionals };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function stringFlag(parsed: Parsed, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function integerFlag(
  parsed: Parsed,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const text = stringFlag(parsed, name);
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text)) throw new UsageError(`--${name}: expected an integer, got '${text}'`);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name}: expected an integer ${min}..${max}, got ${text}`);
  }
  return value;
}

/** A duration: `90`, `90s`, `5m`, `1h` (seconds when no unit). */
export function durationFlag(parsed: Parsed, name: string): number | undefined {
  const text = stringFlag(parsed, name);
  if (text === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text);
  if (match === null)
    throw new UsageError(`--${name}: expected a duration like 30, 30s, 5m or 1h, got '${text}'`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 's'] ?? 1000;
  return Math.round(Number(match[1]) * unit);
}

/** `i/n` with 0 ≤ i < n. */
export function shardFlag(
  parsed: Parsed,
  name: string,
): { index: number; count: number } | undefined {
  const text = stringFlag(parsed, name);
  if (text === undefined) return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || count < 1 || index >= count)
    throw new UsageError(`--${name}: expected i/n with 0 ≤ i < n, got '${text}'`);
  return { index, count };
}

/**
 * `--profile`: one of PROFILES, or also `all` where the command can run every profile (campaign,
 * zoo). A value that names no profile is a usage error listing the choices.
 */
export function profileFlag(parsed: Parsed, allowAll: true): Profile | 'all' | undefined;
export function profileFlag(parsed: Parsed, allowAll: false): Profile | undefined;
export function profileFlag(parsed: Parsed, allowAll: boolean): Profile | 'all' | undefined {
  const text = stringFlag(parsed, 'profile');
  if (text === undefined) return undefined;
  const choices: readonly string[] = allowAll ? [...PROFILES, 'all'] : PROFILES;
  if (!choices.includes(text))
    throw new UsageError(`--profile: expected one of ${choices.join(', ')}, got '${text}'`);
  return text as Profile | 'all';
}
