/**
 * The `cma=` kernel parameter (kernel-semantics.md §7.3): how parse_early_param() splits the
 * command line (kernel/params.c parse_args/next_arg), how early_cma() reads its value
 * (drivers/base/dma-contiguous.c) and how memparse() reads a number (lib/cmdline.c, lib/vsprintf.c
 * simple_strtoull, lib/kstrtox.c), all K4_9.
 *
 * Values are u64 (bigint, wrapping modulo 2^64) because memparse() returns unsigned long long and
 * the kernel stores it in a 64-bit phys_addr_t. Only `cma` is interpreted; other parameters are
 * split off and ignored, exactly as do_early_param() ignores parameters that are not early.
 *
 * The command line is read as a string of characters; the kernel reads bytes. They agree for ASCII,
 * which is all a world's command line needs.
 */
import type { Profile } from '../../src/core/world.ts';
import { type PhysAddr, U64_MAX, u64 } from './memblock.ts';

/** A parse result: the value and the index of the first character not consumed (`*retptr`). */
export interface Parsed {
  value: PhysAddr;
  end: number;
}

/** isspace() of lib/ctype.c: the ASCII white space characters and Latin-1 NBSP (0xa0). */
function isSpace(c: string | undefined): boolean {
  return c !== undefined && ' \t\n\v\f\r\u00a0'.includes(c);
}

function toLower(c: string | undefined): string {
  return c === undefined ? '' : c.toLowerCase();
}

function hexDigitValue(c: string | undefined): number {
  const lower = toLower(c);
  if (lower.length === 1 && lower >= '0' && lower <= '9') return lower.charCodeAt(0) - 48;
  if (lower.length === 1 && lower >= 'a' && lower <= 'f') return lower.charCodeAt(0) - 87;
  return -1;
}

/**
 * Mirrors simple_strtoull(cp, &end, 0) — lib/vsprintf.c, K4_9, with _parse_integer_fixup_radix()
 * and _parse_integer() of lib/kstrtox.c (§7.3): `0x`/`0X` followed by a hex digit → hex, another
 * leading `0` → octal, else decimal; stops at the first character that is not a digit of the base;
 * no digits → 0 with `end` at that character; no sign; the value wraps modulo 2^64 on overflow (the
 * overflow flag is ignored by simple_strtoull).
 */
export function simpleStrtoull(text: string, from: number): Parsed {
  let index = from;
  let base = 10n;
  if (text[index] === '0') {
    base = toLower(text[index + 1]) === 'x' && hexDigitValue(text[index + 2]) >= 0 ? 16n : 8n;
  }
  if (base === 16n) index += 2;
  let value = 0n;
  for (; index < text.length; index++) {
    const digit = hexDigitValue(text[index]);
    if (digit < 0 || BigInt(digit) >= base) break;
    value = u64(value * base + BigInt(digit));
  }
  return { value, end: index };
}

/** The shifts of memparse()'s fall-through switch, by suffix letter. */
const MEMPARSE_SHIFT: ReadonlyMap<string, bigint> = new Map([
  ['k', 10n],
  ['m', 20n],
  ['g', 30n],
  ['t', 40n],
  ['p', 50n],
  ['e', 60n],
]);

/**
 * Mirrors memparse() — lib/cmdline.c, K4_9 (§7.3): simple_strtoull() in base 0, then one optional
 * suffix K/M/G/T/P/E (either case) that multiplies by 2^10 … 2^60 and is consumed; any other
 * character is left in place. The shifts wrap modulo 2^64 like `ret <<= 10`.
 */
export function memparse(text: string, from = 0): Parsed {
  const number = simpleStrtoull(text, from);
  const shift = MEMPARSE_SHIFT.get(toLower(text[number.end]));
  if (shift === undefined) return number;
  return { value: u64(number.value << shift), end: number.end + 1 };
}

/** One `param[=val]` word of the command line; `val` null when there was no `=`. */
export interface KernelParam {
  param: string;
  val: string | null;
}

/** Reads a NUL-terminated C string out of a character array. */
function cString(chars: readonly string[], from: number): string {
  const nul = chars.indexOf('\0', from);
  return chars.slice(from, nul < 0 ? chars.length : nul).join('');
}

/**
 * Mirrors next_arg() — kernel/params.c, K4_9: one word up to an unquoted space; the first `=` (not
 * at position 0) splits param from val; quotes are dropped the way the kernel drops them (by
 * writing NULs), which this replays on a character array.
 */
function nextArg(args: string, from: number): { arg: KernelParam; next: number } {
  let start = from;
  let inQuote = false;
  let quoted = false;
  if (args[start] === '"') {
    start++;
    inQuote = true;
    quoted = true;
  }
  let i = 0;
  let equals = 0;
  for (; start + i < args.length; i++) {
    const c = args[start + i];
    if (isSpace(c) && !inQuote) break;
    if (equals === 0 && c === '=') equals = i;
    if (c === '"') inQuote = !inQuote;
  }
  const chars = [...args.slice(start, start + i), '\0'];
  let valIndex: number | null = null;
  if (equals !== 0) {
    chars[equals] = '\0';
    valIndex = equals + 1;
    if (chars[valIndex] === '"') {
      // don't include quotes in value
      valIndex++;
      if (chars[i - 1] === '"') chars[i - 1] = '\0';
    }
  }
  if (quoted && chars[i - 1] === '"') chars[i - 1] = '\0';
  const val = valIndex === null ? null : cString(chars, valIndex);
  const arg = { param: cString(chars, 0), val };
  return { arg, next: skipSpaces(args, start + i + (start + i < args.length ? 1 : 0)) };
}

function skipSpaces(text: string, from: number): number {
  let index = from;
  while (isSpace(text[index])) index++;
  return index;
}

/**
 * Mirrors parse_args() — kernel/params.c, K4_9 (§7.1 step 2), as parse_early_param() runs it:
 * leading spaces skipped, words split by next_arg(), and parsing stops at a bare `--` (what follows
 * is for init).
 */
export function parseArgs(cmdline: string): KernelParam[] {
  const params: KernelParam[] = [];
  let index = skipSpaces(cmdline, 0);
  while (index < cmdline.length) {
    const { arg, next } = nextArg(cmdline, index);
    if (arg.val === null && arg.param === '--') break;
    params.push(arg);
    index = next;
  }
  return params;
}

/** The static variables of drivers/base/dma-contiguous.c that `cma=` sets (bytes, u64). */
export interface CmaCmdline {
  /** size_cmdline; SIZE_CMDLINE_UNSET ((phys_addr_t)-1) while no `cma=` was seen. */
  sizeCmdline: PhysAddr;
  baseCmdline: PhysAddr;
  limitCmdline: PhysAddr;
}

/** `static phys_addr_t size_cmdline = -1;` — the "no cma= given" marker. */
export const SIZE_CMDLINE_UNSET: PhysAddr = U64_MAX;

export const CMA_CMDLINE_INITIAL: CmaCmdline = Object.freeze({
  sizeCmdline: SIZE_CMDLINE_UNSET,
  baseCmdline: 0n,
  limitCmdline: 0n,
});

/**
 * Mirrors early_cma() — drivers/base/dma-contiguous.c, K4_9 (§7.3): size = memparse(p); only if the
 * next character is `@`: base = memparse(p + 1), and then either `-` and limit = memparse(p + 1),
 * or limit = base + size (wrapping). Trailing garbage is ignored. Fields not reached keep their
 * previous values, so a later `cma=` inherits base/limit from an earlier one.
 *
 * DEVIATION: `cma` without `=` passes p = NULL, which K4_9 dereferences in memparse() (an oops
 * during parse_early_param; K6_1 prints "Config string not provided", parseCmaCmdline). The model
 * ignores such an option and leaves the state as it was, which is what K6_1 ends up doing.
 */
export function earlyCma(state: CmaCmdline, p: string | null): CmaCmdline {
  if (p === null) return state;
  const size = memparse(p, 0);
  if (p[size.end] !== '@') return { ...state, sizeCmdline: size.value };
  const base = memparse(p, size.end + 1);
  if (p[base.end] !== '-') {
    const limitCmdline = u64(base.value + size.value);
    return { sizeCmdline: size.value, baseCmdline: base.value, limitCmdline };
  }
  const limit = memparse(p, base.end + 1);
  return { sizeCmdline: size.value, baseCmdline: base.value, limitCmdline: limit.value };
}

/**
 * Mirrors parse_early_param() → do_early_param() — init/main.c, K4_9 and K6_1 (§7.1 step 2,
 * §7.3), for the one early parameter cmacheck knows: every `cma` word, left to right, through
 * early_cma() (parameq() matches the exact name). A bare `cma` (p = NULL): K4_9 would oops (the
 * DEVIATION of earlyCma); K6_1's early_cma() prints "Config string not provided" and returns
 * -EINVAL, and do_early_param() then warns "Malformed early option 'cma'" — both go to `messages`.
 */
export function parseCmaCmdline(
  cmdline: string,
  profile: Profile = 'K4_9',
  messages: string[] = [],
): CmaCmdline {
  let state = CMA_CMDLINE_INITIAL;
  for (const { param, val } of parseArgs(cmdline)) {
    if (param !== 'cma') continue;
    if (val === null) messages.push(...earlyCmaNullComplaints(profile));
    state = earlyCma(state, val);
  }
  return state;
}

/**
 * What early_cma(NULL) leaves in the log (§7.3 step 1): K4_9 dereferences NULL (the model's
 * DEVIATION: nothing); K6_1 pr_err "Config string not provided" and -EINVAL, on which
 * do_early_param() pr_warn()s "Malformed early option 'cma'".
 */
function earlyCmaNullComplaints(profile: Profile): string[] {
  switch (profile) {
    case 'K4_9':
      return [];
    case 'K6_1':
      return ['cma: Config string not provided', "Malformed early option 'cma'"];
  }
}
