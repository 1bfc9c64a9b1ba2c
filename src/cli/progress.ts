/**
 * A one-line progress bar on stderr, drawn only when stderr is a terminal (CI logs stay clean).
 */
export class ProgressLine {
  readonly enabled: boolean;
  #last = '';

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.stream = stream;
    this.enabled = Boolean(stream.isTTY);
  }

  readonly stream: NodeJS.WriteStream;

  /** Draws `fraction` (0..1, or null when unknown) and a text. */
  update(fraction: number | null, text: string): void {
    if (!this.enabled) return;
    const width = 24;
    const filled = fraction === null ? 0 : Math.round(Math.min(1, fraction) * width);
    const bar = fraction === null ? '' : `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] `;
    const line = `${bar}${text}`;
    if (line === this.#last) return;
    this.#last = line;
    this.stream.write(`\r\x1b[K${line}`);
  }

  clear(): void {
    if (this.enabled && this.#last !== '') this.stream.write('\r\x1b[K');
    this.#last = '';
  }
}
