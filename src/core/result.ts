/**
 * src/core/result.ts — an op's result as one number (ResultCode), the form Allocator.apply()
 * returns, and OpResult, the object the harness records, prints and reads back from traces.
 *
 *   pfn ≥ 0          ok, naming pages: a new allocation's first pfn, or the first pfn a free freed
 *   RESULT_OK (-1)   ok, naming none (release, pin, write, check)
 *   -2 - i           failed, for FAILURE_REASONS[i]
 *
 * Why a number: an object per op ({ ok, pfn }) is an allocation per op, and on the 2^18 trace
 * of bench/differential.ts that allocation (the young generation's fresh lines streaming through
 * the cache the buddy's arrays live in) took about a third of impl's time per op. A code is
 * compared with ===, so the harness compares two sides' results without decoding either;
 * decodeResult() gives the object where a person or a file reads it.
 */
import type { Pfn } from './world.ts';

export interface OpResult {
  ok: boolean;
  /** First pfn of a new allocation; for `free`, the first pfn of the pages it freed. */
  pfn?: Pfn;
  /** Why the op failed, in the kernel's words where it has them ('ENOMEM', ...). */
  reason?: FailureReason;
}

/** An OpResult as one number (see the file header). */
export type ResultCode = number;

/**
 * Every reason an op fails with (docs/MODEL.md "Ops"): alloc_contig_range()'s -ENOMEM, and
 * cma_alloc()'s NULL returns by cause; no-area (no CMA area, or no device area and no default
 * one), not-in-area (cma_release() of pages outside the area), data-mismatch (a `check` read
 * other data than the last `write`).
 */
export const FAILURE_REASONS = [
  'ENOMEM', 'area-failed', 'zero-count', 'too-large', 'oops', 'no-space', 'no-area',
  'not-in-area', 'data-mismatch',
] as const;

export type FailureReason = (typeof FAILURE_REASONS)[number];

export const RESULT_OK: ResultCode = -1;

/** The code of a success that names pages from `pfn`. */
export function resultAt(pfn: Pfn): ResultCode {
  return pfn;
}

/** The code of a failure for `reason`. */
export function failure(reason: FailureReason): ResultCode {
  return -2 - FAILURE_REASONS.indexOf(reason);
}

export function isOk(code: ResultCode): boolean {
  return code >= RESULT_OK;
}

/** Is `code` a number some result is encoded as? */
export function isResultCode(code: unknown): code is ResultCode {
  return typeof code === 'number' && Number.isSafeInteger(code)
    && code >= -1 - FAILURE_REASONS.length;
}

/** `code` for a person: 'ok', 'pfn 12', 'failed (ENOMEM)', or what it is when it is no code. */
export function describeResult(code: unknown): string {
  if (!isResultCode(code)) return `no result code (${String(code)})`;
  if (code === RESULT_OK) return 'ok';
  return code >= 0 ? `pfn ${code}` : `failed (${FAILURE_REASONS[-2 - code]})`;
}

/** The OpResult of `code`; throws on a number no encoder writes. */
export function decodeResult(code: ResultCode): OpResult {
  if (!isResultCode(code)) throw new RangeError(`decodeResult: ${describeResult(code)}`);
  if (code >= 0) return { ok: true, pfn: code };
  if (code === RESULT_OK) return { ok: true };
  return { ok: false, reason: FAILURE_REASONS[-2 - code] };
}

/** The code of `result`; throws on a result no code stands for (a failure without a reason). */
export function encodeResult(result: OpResult): ResultCode {
  if (result.ok) return result.pfn === undefined ? RESULT_OK : resultAt(result.pfn);
  if (result.reason === undefined) throw new RangeError('encodeResult: a failure needs a reason');
  return failure(result.reason);
}
