/**
 * bench/yardstick.ts — impl's buddy fast path against the C yardstick, measured in one run
 * (DESIGN.md "bench/: benchmarks that print ratios measured in one run").
 *
 *   npx tsx bench/yardstick.ts [ops] [rounds] [--quick]   (defaults 10000000 and 5;
 *                                                         --quick skips the 2^22 runs)
 *
 * 1. Builds ../shared/yardstick/buddy.c (resolved from the repo root) with gcc -O2 into a temp
 *    directory and runs `bench 18 <ops>`: mulberry32 seed 42, 2^18 pages, maxOrder 10,
 *    pageblockOrder 9, the top 1/8 of the pageblocks CMA.
 * 2. Runs the identical workload on impl (same PRNG and op mix) over a world with an explicit
 *    fixed CMA area on the top 1/8, booted the K4_9 way. The C allocator frees its boot memory
 *    pageblock by pageblock; impl runs free_all_bootmem + CMA activation. Both give the same
 *    free lists, and on this aligned world the C merge rule equals K4_9's, so both make the
 *    same choices: the checksum of returned pfns must match, which the bench checks.
 * 3. Prints both ops/s and their ratio, impl's state bytes per page at 2^22 pages and impl's
 *    ops/s at 2^22 pages.
 * Timing uses performance.now() around the op loop only (boot excluded, as in buddy.c). The
 * machine may be shared, so C and impl run alternately for `rounds` rounds and each side's best
 * round counts (interference only ever slows a run down). impl is warmed up first on a
 * separate world, so every timed round runs code V8 has already optimized.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseWorld } from '../src/core/worldParse.ts';
import { ImplAllocator } from '../impl/allocator.ts';
import type { BuddyCore } from '../impl/core.ts';

const MAX_ORDER = 10;
const PAGEBLOCK_ORDER = 9;
/** Occupancy target of buddy.c: TARGET16 / 16 of the pages. */
const TARGET16 = 14;
const SEED = 42;

interface RunResult {
  opsPerSecond: number;
  checksum: number;
  allocFailures: number;
  live: number;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function main(): void {
  const positional = process.argv.slice(2).filter((argument) => !argument.startsWith('--'));
  const ops = Number(positional[0] ?? 10_000_000);
  const rounds = Number(positional[1] ?? 5);
  if (!Number.isSafeInteger(ops) || ops < 1 || !Number.isSafeInteger(rounds) || rounds < 1) {
    fail(`usage: npx tsx bench/yardstick.ts [ops] [rounds] [--quick]; got ${positional.join(' ')}`);
  }
  const binary = buildC();
  // Warm-up on fresh worlds: V8 optimizes the workload and the core with feedback from every
  // path (a path first taken after optimization deoptimizes and recompiles).
  for (let round = 0; round < 3; round++) runImpl(18, Math.min(ops, 2_000_000));
  let c = runC(binary, 18, ops);
  let impl = runImpl(18, ops);
  for (let round = 1; round < rounds; round++) {
    c = best(c, runC(binary, 18, ops));
    impl = best(impl, runImpl(18, ops));
  }
  const ratio = impl.opsPerSecond / c.opsPerSecond;
  console.log(`C yardstick   2^18 pages  ${fmt(c.opsPerSecond)} ops/s  checksum ${c.checksum}`);
  console.log(`impl (K4_9)   2^18 pages  ${fmt(impl.opsPerSecond)} ops/s  checksum ${impl.checksum}`
    + `  failures ${impl.allocFailures}  live ${impl.live}`);
  console.log(`ratio impl/C  ${ratio.toFixed(3)}  (target >= 0.5)`);
  if (impl.checksum !== c.checksum) {
    console.log('checksum MISMATCH: impl and the C yardstick made different choices');
    process.exitCode = 1;
  }
  if (process.argv.includes('--quick')) return;
  const big = best(runImpl(22, ops), runImpl(22, ops));
  const bytes = stateBytes(22);
  console.log(`impl (K4_9)   2^22 pages  ${fmt(big.opsPerSecond)} ops/s`);
  console.log(`impl state    2^22 pages  ${bytes.perPage.toFixed(4)} bytes/page`
    + ` (${bytes.total} bytes; allocation records ${bytes.records} bytes, per live allocation)`);
  console.log(`RESULT yardstick c_ops_per_s=${Math.round(c.opsPerSecond)}`
    + ` impl_ops_per_s=${Math.round(impl.opsPerSecond)} ratio=${ratio.toFixed(3)}`
    + ` impl_ops_per_s_2p22=${Math.round(big.opsPerSecond)}`
    + ` bytes_per_page_2p22=${bytes.perPage.toFixed(4)}`);
}

function best(a: RunResult, b: RunResult): RunResult {
  return b.opsPerSecond > a.opsPerSecond ? b : a;
}

/** Builds buddy.c with gcc -O2 into a temp directory removed at exit; returns the binary. */
function buildC(): string {
  const source = resolve(repoRoot, '../shared/yardstick/buddy.c');
  if (!existsSync(source)) fail(`the C yardstick is missing: ${source}`);
  const dir = mkdtempSync(join(tmpdir(), 'cmacheck-yardstick-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const binary = join(dir, 'buddy');
  try {
    execFileSync('gcc', ['-O2', '-o', binary, source], { stdio: 'pipe' });
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    fail(missing ? 'gcc is not installed (needed to build the C yardstick)'
      : `gcc failed on ${source}: ${String((error as { stderr?: Buffer }).stderr ?? error)}`);
  }
  return binary;
}

/** Runs `buddy bench`; parses its RESULT lines. */
function runC(binary: string, nshift: number, ops: number): RunResult {
  const output = execFileSync(binary, ['bench', String(nshift), String(ops)], { encoding: 'utf8' });
  return {
    opsPerSecond: Number(field(output, 'ops_per_s')),
    checksum: Number(field(output, 'checksum')),
    allocFailures: Number(field(output, 'alloc_fail')),
    live: Number(field(output, 'live')),
  };
}

function field(output: string, key: string): string {
  const match = new RegExp(`\\b${key}=(\\d+)`).exec(output);
  if (match === null) fail(`no ${key}= in the yardstick's output:\n${output}`);
  return match[1];
}

/** The yardstick world: 2^nshift pages, one zone, a fixed CMA area on the top 1/8. */
function bootYardstickWorld(nshift: number): ImplAllocator {
  const pages = 2 ** nshift;
  const world = parseWorld({
    name: `yardstick-2^${nshift}`, pages, maxOrder: MAX_ORDER, pageblockOrder: PAGEBLOCK_ORDER,
    cma: [{ name: 'yardstick', base: pages - pages / 8, size: pages / 8, fixed: true }],
  });
  const allocator = new ImplAllocator();
  allocator.boot(world);
  return allocator;
}

function runImpl(nshift: number, ops: number): RunResult {
  const core = bootYardstickWorld(nshift).core;
  const start = performance.now();
  const result = workload(core, ops, SEED);
  const seconds = (performance.now() - start) / 1000;
  return { ...result, opsPerSecond: ops / seconds };
}

function stateBytes(nshift: number): ReturnType<ImplAllocator['stateBytes']> {
  return bootYardstickWorld(nshift).stateBytes();
}

/**
 * buddy.c's step() loop, bit for bit: mulberry32, alloc with p ~0.55 below the occupancy
 * target and ~0.45 above it, else free a uniformly chosen live allocation; order =
 * ctz(rand | 1 << 10), migratetype = rand % 3. The live set is two typed arrays, as in C.
 * V8: one monomorphic function, int32 state, no closures or objects inside the loop.
 */
function workload(core: BuddyCore, ops: number, seed: number): Omit<RunResult, 'opsPerSecond'> {
  const pages = core.pages;
  const livePfn = new Int32Array(pages);
  const liveOrder = new Uint8Array(pages);
  let live = 0;
  let used = 0;
  let state = seed | 0;
  let checksum = 0;
  let allocFailures = 0;
  // used * 16 < pages * TARGET16 in buddy.c; both sides stay below 2^31 for 2^22 pages.
  const allocThreshold = (pages * TARGET16) | 0;
  for (let op = 0; op < ops; op++) {
    // mulberry32 (buddy.c rnd()), inlined; r is its output & 0xffff.
    state = (state + 0x6d2b79f5) | 0;
    let z = Math.imul(state ^ (state >>> 15), state | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    const r = (z ^ (z >>> 14)) & 0xffff;
    const doAlloc = live === 0 || ((used << 4) < allocThreshold ? r < 0x8ccd : r < 0x7333);
    if (doAlloc) {
      state = (state + 0x6d2b79f5) | 0;
      z = Math.imul(state ^ (state >>> 15), state | 1);
      z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
      const orderBits = (z ^ (z >>> 14)) | (1 << MAX_ORDER);
      const order = 31 - Math.clz32(orderBits & -orderBits);
      state = (state + 0x6d2b79f5) | 0;
      z = Math.imul(state ^ (state >>> 15), state | 1);
      z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
      const migratetype = uint32Mod3(z ^ (z >>> 14));
      const pfn = core.allocPages(order, migratetype);
      if (pfn >= 0) {
        livePfn[live] = pfn;
        liveOrder[live] = order;
        live++;
        used = (used + (1 << order)) | 0;
        checksum = (Math.imul(checksum, 31) + pfn) | 0;
      } else {
        allocFailures++;
        checksum = (Math.imul(checksum, 31) - 1) | 0;
      }
    } else {
      state = (state + 0x6d2b79f5) | 0;
      z = Math.imul(state ^ (state >>> 15), state | 1);
      z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
      const index = uint32Mod(z ^ (z >>> 14), live);
      const pfn = livePfn[index];
      const order = liveOrder[index];
      live--;
      livePfn[index] = livePfn[live];
      liveOrder[index] = liveOrder[live];
      used = (used - (1 << order)) | 0;
      core.freePages(pfn, order);
    }
  }
  return { checksum: checksum >>> 0, allocFailures, live };
}

/**
 * C's `x % 3` on the uint32 bits of `word`. Speed: V8 compiles a modulus of a value >= 2^31 as a
 * float fmod (x87 fprem); 2^16 = 1 mod 3, so the halves' sum (< 2^17) has the same remainder
 * and stays an int32 modulus by a constant.
 */
function uint32Mod3(word: number): number {
  return ((word >>> 16) + (word & 0xffff)) % 3;
}

/**
 * C's `x % divisor` on the uint32 bits of `word`, 0 < divisor < 2^31, exact in doubles: the
 * rounded quotient is within 2^-53 * 2^32 / divisor = 2^-21 / divisor of the true one, closer
 * than 1/divisor, the least distance from a non-integer quotient to an integer; an integer
 * quotient is exact (correct rounding). Speed: one float division instead of V8's fprem loop.
 */
function uint32Mod(word: number, divisor: number): number {
  const value = word >>> 0;
  return value - Math.floor(value / divisor) * divisor;
}

function fmt(opsPerSecond: number): string {
  return `${(opsPerSecond / 1e6).toFixed(2)} M`.padStart(9);
}

function fail(message: string): never {
  console.error(`bench/yardstick.ts: error: ${message}`);
  process.exit(2);
}

main();
