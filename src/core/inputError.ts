/**
 * A user error in a world, trace, corpus file or flag: names the file, the JSON path and the
 * reason, in compiler format (STYLE G13): `counterexamples/bad.json: $.ops[3].order: expected
 * integer 0..4 (maxOrder), got 7`. The CLI prints `message` and exits 2; never a stack trace.
 */
export class InputError extends Error {
  override name = 'InputError';
  constructor(
    readonly file: string,
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${file}: ${path}: ${reason}`);
  }
}
