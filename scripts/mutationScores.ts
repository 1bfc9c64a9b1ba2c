/**
 * Prints the mutation score of model/ and of impl/ separately from Stryker's JSON report
 * (reports/mutation/mutation.json, or the report named as argument): killed + timeout over all valid mutants (killed, timeout,
 * survived, no coverage), per folder, as Stryker counts it. Ignored mutants (failure-message text,
 * static mutants; stryker.config.mjs says why) are counted apart and are not in the score.
 *
 * A survivor whose run completed no test is not a measurement (stryker-js issue #6213: under
 * load the vitest runner can report a run that executed none of its selected tests as Survived);
 * their number is printed so that a score is not read past them; `npx stryker run --force`
 * re-tests everything.
 */
import { readFileSync } from 'node:fs';

interface MutantResult {
  status: string;
  testsCompleted?: number;
}
interface Report {
  files: Record<string, { mutants: MutantResult[] }>;
}

const DETECTED = new Set(['Killed', 'Timeout']);
const VALID = new Set(['Killed', 'Timeout', 'Survived', 'NoCoverage']);

// The report to read: the one `npm run mutation` writes, or another run's (a run restricted with
// `mutate` still lists every file, the others with the statuses its incremental cache reused).
const path = process.argv[2] ?? 'reports/mutation/mutation.json';
const report = JSON.parse(readFileSync(path, 'utf8')) as Report;
for (const folder of ['model/', 'impl/']) {
  const counts = new Map<string, number>();
  let unmeasured = 0;
  for (const [file, { mutants }] of Object.entries(report.files)) {
    if (!file.startsWith(folder)) continue;
    for (const mutant of mutants) {
      counts.set(mutant.status, (counts.get(mutant.status) ?? 0) + 1);
      if (mutant.status === 'Survived' && mutant.testsCompleted === 0) unmeasured++;
    }
  }
  const count = (statuses: Set<string>): number =>
    [...counts].reduce((sum, [status, n]) => sum + (statuses.has(status) ? n : 0), 0);
  const detected = count(DETECTED);
  const valid = count(VALID);
  const score = valid === 0 ? 0 : (100 * detected) / valid;
  const breakdown = [...counts].sort().map(([status, n]) => `${status} ${n}`).join(', ');
  console.log(
    `mutation score ${folder.padEnd(7)} ${score.toFixed(2)}% (${detected} of ${valid} mutants`
      + ` detected; ${breakdown})`,
  );
  if (unmeasured > 0) {
    console.log(`  ${unmeasured} survivors of ${folder} completed no test (not a measurement)`);
  }
}
