/**
 * `cma=` parsing, K4_9 (kernel-semantics.md §7.3): memparse() (lib/cmdline.c over
 * simple_strtoull() of lib/vsprintf.c and _parse_integer*() of lib/kstrtox.c), the command-line
 * splitter parse_args()/next_arg() (kernel/params.c) and early_cma()
 * (drivers/base/dma-contiguous.c). Every expectation is derived by hand in the comment above it.
 */
import { describe, expect, it } from 'vitest';
import { memparse, parseArgs, simpleStrtoull } from '../../model/boot/cmdline.ts';

const KiB = 1n << 10n;
const MiB = 1n << 20n;
const GiB = 1n << 30n;

describe('memparse (lib/cmdline.c, base-0 simple_strtoull)', () => {
  // [text, value, end]; derivations: _parse_integer_fixup_radix picks the base from the prefix,
  // _parse_integer stops at the first non-digit of that base, memparse's switch consumes one
  // suffix letter and shifts by 10 per step down to K, wrapping like `ret <<= 10` on a u64.
  const vectors: [string, bigint, number][] = [
    ['64M', 64n * MiB, 3], // decimal 64, 'M' → << 20, suffix consumed
    ['0x40000000', GiB, 10], // "0x" + hex digit → base 16, prefix skipped
    ['0X1F', 31n, 4], // _tolower('X') == 'x'; 'F' is a hex digit
    ['010M', 8n * MiB, 4], // leading 0 → octal 010 = 8
    ['1.5G', 1n, 1], // '.' ends the number and is no suffix
    ['64X', 64n, 2], // 'X' is no suffix: left in place
    ['abc', 0n, 0], // base 10: 'a' is worth 10 ≥ 10 → no digits, end at 'a'
    ['', 0n, 0], // no digits at all
    ['0x', 0n, 1], // 'x' not followed by a hex digit → octal "0", stops at 'x'
    ['08', 0n, 1], // octal: '8' ≥ 8 stops after "0"
    ['-5', 0n, 0], // no sign handling in simple_strtoull
    ['1k', KiB, 2], // lower-case suffixes too
    ['2T', 2n << 40n, 2],
    ['3p', 3n << 50n, 2],
    ['1e', 1n << 60n, 2], // decimal stops at 'e' (worth 14 ≥ 10), then 'e' is the 2^60 suffix
    ['0x1e', 30n, 4], // in hex 'e' is a digit, so there is no suffix
    ['16E', 0n, 3], // 16 << 60 = 2^64 wraps to 0
    ['18446744073709551617', 1n, 20], // 2^64 + 1 wraps modulo 2^64 in _parse_integer
  ];
  it.each(vectors)('memparse(%j) = %s ending at %i', (text, value, end) => {
    expect(memparse(text)).toEqual({ value, end });
  });

  it('starts at the given index, as memparse(p + 1, &p) does after "@"', () => {
    // "64M@1G": from index 4, "1G" → 1 << 30, end 6.
    expect(memparse('64M@1G', 4)).toEqual({ value: GiB, end: 6 });
  });

  it('simple_strtoull leaves a suffix letter unconsumed', () => {
    // simple_strtoull only reads digits; the 'M' at index 2 stays for memparse's switch.
    expect(simpleStrtoull('64M', 0)).toEqual({ value: 64n, end: 2 });
  });
});

describe('parseArgs (kernel/params.c parse_args / next_arg)', () => {
  it('splits on spaces, skips leading and repeated spaces, and keeps `=`-less words', () => {
    // next_arg(): a word ends at an unquoted isspace(); the first '=' splits param from val.
    expect(parseArgs('  root=/dev/sda cma=64M \t quiet')).toEqual([
      { param: 'root', val: '/dev/sda' },
      { param: 'cma', val: '64M' },
      { param: 'quiet', val: null },
    ]);
  });

  it('keeps every `=` after the first in the value', () => {
    expect(parseArgs('a=b=c')).toEqual([{ param: 'a', val: 'b=c' }]);
  });

  it('drops the quotes around a value and around a whole word', () => {
    // val starting with '"': val++ and the closing quote (args[i-1]) is overwritten with NUL.
    // A word starting with '"' (quoted): its last '"' is overwritten too.
    expect(parseArgs('cma="64M@1G" "cma=8M"')).toEqual([
      { param: 'cma', val: '64M@1G' },
      { param: 'cma', val: '8M' },
    ]);
  });

  it('keeps a quoted space inside one word', () => {
    expect(parseArgs('x="a b" y')).toEqual([{ param: 'x', val: 'a b' }, { param: 'y', val: null }]);
  });

  it('stops at a bare `--`', () => {
    // parse_args(): `if (!val && strcmp(param, "--") == 0) return` — the rest is for init.
    expect(parseArgs('cma=1M -- cma=2M')).toEqual([{ param: 'cma', val: '1M' }]);
  });
});
