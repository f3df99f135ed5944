/**
 * Lines typed by the user, through node:readline: the shell's prompt (line editing, history,
 * tab completion on a terminal), confirmations, `fg` input. While a command runs, the terminal
 * leaves raw mode so Ctrl-C arrives as a real SIGINT (the command's to handle); at a prompt,
 * Ctrl-C reads as INTERRUPT.
 */
import readline from 'node:readline';

export const INTERRUPT = Symbol('interrupt');
/** A line, null at end of input (Ctrl-D), or INTERRUPT (Ctrl-C at the prompt). */
export type ReadResult = string | null | typeof INTERRUPT;

export type Completer = (line: string) => Promise<[string[], string]>;

export interface LineInputOptions {
  terminal: boolean;
  completer?: Completer;
  /** Oldest first, as a history file holds them. */
  history?: string[];
}

export class LineInput {
  private readonly rl: readline.Interface;
  private readonly lines: string[] = [];
  private waiter: ((result: ReadResult) => void) | null = null;
  private ended = false;
  private muted = false;
  private readonly terminal: boolean;
  private readonly loaded: string[];

  constructor(options: LineInputOptions) {
    this.terminal = options.terminal && Boolean(process.stdin.isTTY);
    this.loaded = options.history ?? [];
    const completer = options.completer;
    this.rl = readline.createInterface({
      input: process.stdin,
      output: process.stdout,
      terminal: this.terminal,
      history: this.terminal ? [...(options.history ?? [])].reverse() : [],
      historySize: 1000,
      removeHistoryDuplicates: false,
      completer: completer
        ? (line: string, callback: (err: null | Error, result: [string[], string]) => void) => {
            completer(line).then(
              (result) => callback(null, result),
              () => callback(null, [[], line]),
            );
          }
        : undefined,
    });
    const rlOutput = this.rl as unknown as { _writeToOutput?: (s: string) => void };
    const write = rlOutput._writeToOutput?.bind(this.rl);
    if (write) rlOutput._writeToOutput = (s: string) => void (this.muted ? undefined : write(s));
    this.rl.on('line', (line) => this.deliver(line));
    this.rl.on('close', () => {
      this.ended = true;
      this.deliver(null);
    });
    this.rl.on('SIGINT', () => this.deliver(INTERRUPT));
    this.rl.pause();
    this.leaveRawMode();
  }

  private deliver(result: ReadResult): void {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = null;
      this.rl.pause();
      this.leaveRawMode();
      waiter(result);
    } else if (typeof result === 'string') {
      this.lines.push(result);
    }
  }

  /** Prompts (also when stdin is not a terminal, like Python's input()) and reads one line. */
  read(prompt: string, secret = false): Promise<ReadResult> {
    if (this.lines.length > 0) {
      process.stdout.write(prompt);
      return Promise.resolve(this.lines.shift()!);
    }
    if (this.ended) {
      process.stdout.write(prompt);
      return Promise.resolve(null);
    }
    return new Promise((resolve) => {
      this.waiter = (result) => {
        if (secret) {
          this.muted = false;
          if (this.terminal) process.stdout.write('\n');
        }
        resolve(result);
      };
      this.enterRawMode();
      this.rl.setPrompt(prompt);
      this.rl.resume();
      this.rl.prompt();
      this.muted = secret;
    });
  }

  /** Ctrl-C arriving as a signal while a read is pending (stdin not a terminal). */
  interrupt(): boolean {
    if (!this.waiter) return false;
    this.deliver(INTERRUPT);
    return true;
  }

  /** Newest last (what was loaded, when lines are not read through a terminal). */
  history(): string[] {
    if (!this.terminal) return this.loaded;
    const rl = this.rl as unknown as { history?: string[] };
    return [...(rl.history ?? [])].reverse();
  }

  private enterRawMode(): void {
    if (this.terminal) process.stdin.setRawMode(true);
  }

  private leaveRawMode(): void {
    if (this.terminal) process.stdin.setRawMode(false);
  }

  close(): void {
    this.rl.close();
  }
}
