/**
 * Prints the mutation score of model/ and of impl/ separately from Stryker's JSON report
 * (reports/mutation/mutation.json): killed + timeout over all valid mutants, per folder.
 */
import { readFileSync } from 'node:fs';

interface MutantResult {
  status: string;
}
interface Report {
  files: Record<string, { mutants: MutantResult[] }>;
}

const DETECTED = new Set(['Killed', 'Timeout']);
const VALID = new Set(['Killed', 'Timeout', 'Survived', 'NoCoverage']);

const report = JSON.parse(readFileSync('reports/mutation/mutation.json', 'utf8')) as Report;
for (const folder of ['model/', 'impl/']) {
  let detected = 0;
  let valid = 0;
  for (const [file, { mutants }] of Object.entries(report.files)) {
    if (!file.startsWith(folder)) continue;
    for (const mutant of mutants) {
      if (VALID.has(mutant.status)) valid++;
      if (DETECTED.has(mutant.status)) detected++;
    }
  }
  const score = valid === 0 ? 0 : (100 * detected) / valid;
  console.log(`mutation score ${folder.padEnd(7)} ${score.toFixed(2)}% (${detected} of ${valid} mutants detected)`);
}
