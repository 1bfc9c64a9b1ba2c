/**
 * Style is a test (STYLE G17): the rules a reviewer would otherwise repeat by hand.
 * - every exported function of model/ says which kernel function it mirrors (G2), or that it
 *   has no kernel counterpart;
 * - no function anywhere grows past 70 lines (G5);
 * - model/ and impl/ keep to 100 columns (the code kernel engineers read side by side with C);
 * - banned constructs, with what to use instead.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const CODE = ['model', 'impl', 'src', 'zoo'].flatMap(sourceFiles);
const TESTS = sourceFiles('properties');

function exportedFunctionsWithoutMirrors(file: string): string[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const missing: string[] = [];
  lines.forEach((line, index) => {
    const match = /^export function (\w+)/.exec(line);
    if (match === null) return;
    const doc: string[] = [];
    for (let j = index - 1; j >= 0 && /^(\/\*\*| \*)/.test(lines[j]); j--) doc.push(lines[j]);
    const text = doc.join(' ');
    if (!text.includes('Mirrors') && !text.includes('No kernel counterpart')) missing.push(`${file}: ${match[1]}`);
  });
  return missing;
}

function longFunctions(file: string, limit: number): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node)
      || ts.isFunctionExpression(node)) {
      const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      if (last - first + 1 > limit) found.push(`${file}:${first + 1} (${last - first + 1} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const BANS: readonly [folders: readonly string[], banned: RegExp, instead: string][] = [
  [['model', 'impl', 'src', 'zoo'], /Math\.random\(/, 'the seeded Rng passed in (src/generate/rng.ts)'],
  [['model', 'impl'], /Date\.now\(|performance\.now\(/, 'no clock in allocator code'],
  [['model', 'impl', 'src', 'zoo', 'properties'], /\bas any\b|:\s*any\s*[;,)=>]/, 'a typed field or unknown'],
  [['properties'], /\b(it|describe|test)\.(only|skip|todo)\b|\bxit\(/, 'a test that runs'],
];

describe('tidy', () => {
  it('every exported model function names the kernel function it mirrors', () => {
    expect(sourceFiles('model').flatMap(exportedFunctionsWithoutMirrors)).toEqual([]);
  });

  it('no function is longer than 70 lines', () => {
    expect(CODE.flatMap((file) => longFunctions(file, 70))).toEqual([]);
  });

  it('model/ keeps to 100 columns', () => {
    const long = sourceFiles('model').flatMap((file) => readFileSync(file, 'utf8').split('\n')
      .flatMap((line, index) => (line.length > 100 ? [`${file}:${index + 1}`] : [])));
    expect(long).toEqual([]);
  });

  it.each(BANS)('bans in %j: %s', (folders, banned, instead) => {
    const files = [...CODE, ...TESTS].filter((file) => folders.some((folder) => file.startsWith(`${folder}/`)));
    const hits = files.filter((file) => file !== 'properties/tidy/tidy.spec.ts' && banned.test(readFileSync(file, 'utf8')));
    expect(hits, `use ${instead}`).toEqual([]);
  });
});
