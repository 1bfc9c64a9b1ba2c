/**
 * simple_strtoull(cp, &end, 0) (model/boot/cmdline.ts simpleStrtoull, lib/vsprintf.c with
 * lib/kstrtox.c _parse_integer_fixup_radix() and _parse_integer(), kernel-semantics.md §7.3)
 * against an independent reading of the same C grammar, on random strings over an alphabet that
 * holds every digit, the letters on both sides of each digit range ('/' ':' '`' 'g' 'G' 'x'
 * 'X' 'k' 'K') and the characters a cmdline puts next to a number ('@' '=' ',' ' '). The
 * grammar: `0x`/`0X` followed by a hex digit (isxdigit) → base 16 after the prefix; another
 * leading `0` → base 8; else base 10. Digits of the base are read up to the first non-digit;
 * the value wraps modulo 2^64; `end` is the index of the first character not read.
 *
 * Found by mutation testing: the worked examples of properties/boot/cmdline.spec.ts never put a
 * character just outside a digit range after a number or after `0x`, so the range bounds of
 * hexDigitValue() (e.g. `<= 'f'` → always true) could change.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simpleStrtoull } from '../../model/boot/cmdline.ts';

const ALPHABET = [...'0123456789abcdefABCDEF/:`gGxXkKmM@=, '];
const U64 = (1n << 64n) - 1n;

/** The grammar above, with regular expressions and BigInt (no shared code with the model). */
function oracle(text: string, from: number): { value: bigint; end: number } {
  const rest = text.slice(from);
  const hex = /^0[xX]([0-9a-fA-F]+)/.exec(rest);
  if (hex !== null) return { value: BigInt(`0x${hex[1]}`) & U64, end: from + hex[0].length };
  const octal = /^0([0-7]*)/.exec(rest);
  if (octal !== null) {
    return { value: BigInt(`0o0${octal[1]}`) & U64, end: from + octal[0].length };
  }
  const decimal = /^[0-9]*/.exec(rest)?.[0] ?? '';
  return { value: decimal === '' ? 0n : BigInt(decimal) & U64, end: from + decimal.length };
}

describe('simple_strtoull(cp, &end, 0)', () => {
  it('reads what the C grammar reads, from any start index (seed 7309, 2000 strings)', () => {
    const text = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 30 }).map((c) => c.join(''));
    fc.assert(fc.property(text, fc.nat(5), (string, start) => {
      const from = Math.min(start, string.length);
      expect(simpleStrtoull(string, from)).toEqual(oracle(string, from));
    }), { seed: 7309, numRuns: 2000 });
  });

  it('wraps modulo 2^64, as _parse_integer() ignores its overflow flag', () => {
    // 2^64 + 5 = 18446744073709551621 → 5; 0x1_0000_0000_0000_0007 → 7.
    expect(simpleStrtoull('18446744073709551621', 0)).toEqual({ value: 5n, end: 20 });
    expect(simpleStrtoull('0x10000000000000007', 0)).toEqual({ value: 7n, end: 19 });
  });
});
