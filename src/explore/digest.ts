/**
 * A side's digest after each transition: the canonical encoding of its snapshot
 * (src/explore/canonical.ts encodeSnapshot), then the naming encoding of what that leaves out
 * (handles, data tokens, the raw pin fields), as 32-bit words; and, on the side whose states
 * the visited set keys, the canonical fingerprint (the hash of the canonical words).
 *
 * Two sides' digests are compared word for word, not by hash: equal words mean equal snapshots
 * in every field an op can change, exactly. The fields neither encoding holds are fixed at boot
 * (world geometry, zone and area names, declared sizes, order_per_bit) and are compared, with
 * everything else, on every new state (src/explore/explorer.ts).
 *
 * For impl (and bug-zoo mutants, which subclass its core) and the model the words are read
 * straight from their state (implDigest.ts, modelDigest.ts) and are the very words the snapshot
 * route writes. Any other Allocator — a port under test, a bare interface in a test — is
 * digested through snapshot(), the only view the interface gives.
 */
import { ImplAllocator } from '../../impl/allocator.ts';
import { ModelAllocator } from '../../model/allocator.ts';
import type { Allocator } from '../core/allocator.ts';
import type { Snapshot } from '../core/snapshot.ts';
import {
  type Fingerprint,
  Words,
  encodeNaming,
  encodeSnapshot,
  hashWords,
} from './canonical.ts';
import { ImplDigester } from './implDigest.ts';
import { ModelDigester } from './modelDigest.ts';

export interface Digest {
  /** The canonical words [0, canonicalLength), then the naming words. */
  words: Words;
  canonicalLength: number;
  /** The fingerprint of the canonical words, when digest() was asked for it. */
  canonical: Fingerprint;
}

export interface Digester {
  /** 'state': read from the implementation's own state; 'snapshot': through snapshot(). */
  readonly route: 'state' | 'snapshot';
  /**
   * Fills `into`; hashes the canonical words into into.canonical when `fingerprint`; leaves
   * the naming words out when `naming` is false (nothing to compare them with).
   */
  digest(into: Digest, fingerprint: boolean, naming?: boolean): void;
}

export function newDigest(): Digest {
  return { words: new Words(), canonicalLength: 0, canonical: { high: 0, low: 0 } };
}

/** Equal word for word: the same canonical state and the same names, tokens and pins. */
export function sameDigest(a: Digest, b: Digest): boolean {
  return a.canonicalLength === b.canonicalLength && a.words.equals(b.words);
}

/** The digest of a snapshot: the definition the state-reading digesters must match. */
export function digestSnapshot(snapshot: Snapshot, into: Digest, fingerprint = true): void {
  const { words } = into;
  words.reset();
  encodeSnapshot(snapshot, words);
  into.canonicalLength = words.length;
  encodeNaming(snapshot, words);
  if (fingerprint) hashWords(words.words, into.canonicalLength, into.canonical);
}

/**
 * The fastest faithful digester of a booted `allocator`: its state is read directly when it is
 * impl or the model and still exports its snapshot the standard way (an overridden snapshot()
 * would be what the harness compares, so it is then used instead).
 */
export function digesterFor(allocator: Allocator, bootSnapshot: Snapshot): Digester {
  let encoder: { encode(out: Words, naming: boolean): number } | null = null;
  if (
    allocator instanceof ImplAllocator &&
    allocator.snapshot === ImplAllocator.prototype.snapshot
  ) {
    encoder = new ImplDigester(() => allocator.core, bootSnapshot);
  } else if (
    allocator instanceof ModelAllocator &&
    allocator.snapshot === ModelAllocator.prototype.snapshot
  ) {
    encoder = new ModelDigester(() => allocator.state);
  }
  if (encoder === null) return snapshotDigester(allocator);
  const stateEncoder = encoder;
  return {
    route: 'state',
    digest(into, fingerprint, naming = true) {
      into.canonicalLength = stateEncoder.encode(into.words, naming);
      if (fingerprint) hashWords(into.words.words, into.canonicalLength, into.canonical);
    },
  };
}

export function snapshotDigester(allocator: Allocator): Digester {
  return {
    route: 'snapshot',
    digest: (into, fingerprint) => digestSnapshot(allocator.snapshot(), into, fingerprint),
  };
}
