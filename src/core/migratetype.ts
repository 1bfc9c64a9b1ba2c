/**
 * Migratetypes and the kernel's fixed data tables (kernel-semantics.md §1.1, §4.1).
 * Shared by model and impl: these are the kernel's constants, not an algorithm (STYLE
 * anti-pattern 4 allows sharing types and data tables, never a search, split or merge).
 * CONFIG_CMA=y and CONFIG_MEMORY_ISOLATION=y are fixed, so ISOLATE is 5 in every profile.
 */
export const MIGRATE_UNMOVABLE = 0;
export const MIGRATE_MOVABLE = 1;
export const MIGRATE_RECLAIMABLE = 2;
export const MIGRATE_PCPTYPES = 3;
export const MIGRATE_HIGHATOMIC = 3;
export const MIGRATE_CMA = 4;
export const MIGRATE_ISOLATE = 5;
export const MIGRATE_TYPES = 6;

export type Migratetype = 0 | 1 | 2 | 3 | 4 | 5;

/** The types a request may ask for (gfpflags_to_migratetype never yields the others). */
export type RequestMigratetype = 0 | 1 | 2;

/** migratetype_names[] — mm/page_alloc.c. */
export const MIGRATETYPE_NAMES = [
  'Unmovable',
  'Movable',
  'Reclaimable',
  'HighAtomic',
  'CMA',
  'Isolate',
] as const;

/** The names a trace uses for a requested migratetype (JSON `migratetype` field). */
export const REQUEST_MIGRATETYPE_NAMES = ['UNMOVABLE', 'MOVABLE', 'RECLAIMABLE'] as const;
export type RequestMigratetypeName = (typeof REQUEST_MIGRATETYPE_NAMES)[number];

/** Letters of show_free_areas() — U M E H C I (kernel-semantics.md §1.1). */
export const MIGRATETYPE_LETTERS = 'UMEHCI';

export function migratetypeLetter(migratetype: number): string {
  return MIGRATETYPE_LETTERS[migratetype] ?? '?';
}

export function migratetypeFromLetter(letter: string): Migratetype {
  const index = MIGRATETYPE_LETTERS.indexOf(letter);
  if (index < 0) throw new RangeError(`unknown migratetype letter '${letter}'`);
  return index as Migratetype;
}

export function requestMigratetypeFromName(name: RequestMigratetypeName): RequestMigratetype {
  return REQUEST_MIGRATETYPE_NAMES.indexOf(name) as RequestMigratetype;
}

/** is_migrate_cma() — include/linux/mmzone.h. */
export function isMigrateCma(migratetype: number): boolean {
  return migratetype === MIGRATE_CMA;
}

/** is_migrate_isolate() — include/linux/page-isolation.h. */
export function isMigrateIsolate(migratetype: number): boolean {
  return migratetype === MIGRATE_ISOLATE;
}

/** migratetype_is_mergeable() — include/linux/mmzone.h, K6_1 and later. */
export function migratetypeIsMergeable(migratetype: number): boolean {
  return migratetype < MIGRATE_PCPTYPES;
}

/**
 * fallbacks[][] — mm/page_alloc.c. The same three rows in K4_9 ([6][4] with empty CMA and
 * ISOLATE rows), K6_1 ([6][3]) and K6_18 ([3][2]); HIGHATOMIC, CMA and ISOLATE are never a
 * fallback target in any profile.
 */
export const FALLBACKS: readonly (readonly RequestMigratetype[])[] = [
  [MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE], // UNMOVABLE
  [MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE], // MOVABLE
  [MIGRATE_UNMOVABLE, MIGRATE_MOVABLE], // RECLAIMABLE
];
