/**
 * early_cma() — drivers/base/dma-contiguous.c, K4_9 (kernel-semantics.md §7.3): the
 * size_cmdline / base_cmdline / limit_cmdline that `cma=` options leave behind, for the test
 * vectors of the §7.3 table and for several options. Where the areas land is in layout.spec.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  CMA_CMDLINE_INITIAL, SIZE_CMDLINE_UNSET, earlyCma, parseCmaCmdline,
} from '../../model/boot/cmdline.ts';

const MiB = 1n << 20n;
const GiB = 1n << 30n;

describe('early_cma on the §7.3 table', () => {
  // [cmdline, size, base, limit]. early_cma(): size = memparse(p); only after '@' base =
  // memparse(p + 1); then after '-' limit = memparse(p + 1), else limit = base + size.
  const table: [string, bigint, bigint, bigint][] = [
    ['cma=64M', 64n * MiB, 0n, 0n], // no '@': base and limit keep their initial 0
    ['cma=0', 0n, 0n, 0n],
    ['cma=', 0n, 0n, 0n], // memparse("") = 0
    ['cma=abc', 0n, 0n, 0n], // no digits → 0; 'a' is not '@'
    ['cma=64M@0x40000000', 64n * MiB, GiB, GiB + 64n * MiB], // limit = base + size
    ['cma=64M@1G-2G', 64n * MiB, GiB, 2n * GiB],
    ['cma=64M@', 64n * MiB, 0n, 64n * MiB], // memparse("") = 0 → limit = 0 + 64M
    ['cma=1', 1n, 0n, 0n],
    ['cma=1.5G', 1n, 0n, 0n], // stops at '.', which is not '@'
    ['cma=010M', 8n * MiB, 0n, 0n], // octal
    ['cma=64X', 64n, 0n, 0n], // unknown suffix left in place, not '@'
  ];
  it.each(table)('%s → size %s, base %s, limit %s', (cmdline, size, base, limit) => {
    expect(parseCmaCmdline(cmdline)).toEqual({
      sizeCmdline: size, baseCmdline: base, limitCmdline: limit,
    });
  });
});

describe('early_cma with several or odd options', () => {
  it('leaves size_cmdline at -1 when there is no cma= (the "not given" marker)', () => {
    // static phys_addr_t size_cmdline = -1; nothing assigns it without a `cma` word.
    expect(parseCmaCmdline('quiet cmaa=1M')).toEqual(CMA_CMDLINE_INITIAL);
    expect(CMA_CMDLINE_INITIAL.sizeCmdline).toBe(SIZE_CMDLINE_UNSET);
    expect(SIZE_CMDLINE_UNSET).toBe((1n << 64n) - 1n);
  });

  it('processes options left to right: the last size wins, earlier base/limit persist', () => {
    // 1st: size 64M, base 1G, limit 1G + 64M. 2nd "32M": only size_cmdline is written.
    expect(parseCmaCmdline('cma=64M@1G cma=32M')).toEqual({
      sizeCmdline: 32n * MiB, baseCmdline: GiB, limitCmdline: GiB + 64n * MiB,
    });
  });

  it('ignores trailing garbage after each field', () => {
    // "8Mfoo": 'f' is not '@' → done. "8M@1Gxyz-2G": base memparse stops at 'x', not '-'
    // → limit = base + size; the "-2G" is never read.
    expect(parseCmaCmdline('cma=8Mfoo')).toEqual({
      sizeCmdline: 8n * MiB, baseCmdline: 0n, limitCmdline: 0n,
    });
    expect(parseCmaCmdline('cma=8M@1Gxyz-2G')).toEqual({
      sizeCmdline: 8n * MiB, baseCmdline: GiB, limitCmdline: GiB + 8n * MiB,
    });
  });

  it('reads "@-" as base 0 and limit 0', () => {
    // base = memparse("-…") = 0 with p at '-'; limit = memparse("") = 0.
    expect(parseCmaCmdline('cma=4M@-')).toEqual({
      sizeCmdline: 4n * MiB, baseCmdline: 0n, limitCmdline: 0n,
    });
  });

  it('wraps base + size modulo 2^64', () => {
    // size 1, base 2^64 - 1; limit_cmdline = base + size = 2^64, which wraps to 0.
    expect(parseCmaCmdline('cma=1@0xffffffffffffffff')).toEqual({
      sizeCmdline: 1n, baseCmdline: (1n << 64n) - 1n, limitCmdline: 0n,
    });
  });

  it('matches the parameter name exactly (parameq)', () => {
    expect(parseCmaCmdline('CMA=64M cma_x=1M')).toEqual(CMA_CMDLINE_INITIAL);
  });

  it('ignores `cma` without `=` (DEVIATION: K4_9 dereferences NULL there)', () => {
    // early_cma(NULL) would oops in memparse(); the model keeps the previous state.
    const before = parseCmaCmdline('cma=8M');
    expect(earlyCma(before, null)).toBe(before);
    expect(parseCmaCmdline('cma=8M cma')).toEqual(before);
  });
});
