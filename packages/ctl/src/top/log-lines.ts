/**
 * The last lines of a followed log, fit for a terminal: colour codes and other control
 * characters are taken out (a log must not move the cursor), tabs become spaces.
 */
export class LogLines {
  private lines: string[] = [];
  private partial = '';

  constructor(private readonly keep: number) {}

  push(data: string): void {
    const parts = (this.partial + data).split('\n');
    this.partial = parts.pop() ?? '';
    for (const p of parts) this.lines.push(clean(p));
    if (this.lines.length > this.keep) this.lines.splice(0, this.lines.length - this.keep);
  }

  /** The complete lines, then the one being written. */
  all(): string[] {
    return this.partial === '' ? this.lines : [...this.lines, clean(this.partial)];
  }

  clear(): void {
    this.lines = [];
    this.partial = '';
  }
}

export function clean(line: string): string {
  return line
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '')
    .replace(/\t/g, '    ')
    .replace(/[\x00-\x1f\x7f]/g, '');
}
