/**
 * File input and output for the CLI: reading JSON with errors that name the file, and atomic
 * writes (temp file + rename) so an interrupted run never leaves a half-written file.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { InputError } from './inputError.ts';
import { parseJsonText } from './json.ts';

export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new InputError(file, '$', `cannot read the file (${code})`);
  }
  return parseJsonText(file, text);
}

/** Writes `text` to `file` atomically: a temp file in the same directory, then rename. */
export function writeFileAtomic(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}
