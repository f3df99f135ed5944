/** The y/N questions reload and shutdown ask in interactive mode. */
import type { Ctl } from '../ctl.js';
import { eofError } from '../render/faults.js';
import { INTERRUPT } from '../input.js';

/** True for an answer starting with y/Y; end of input is Python's EOFError at `pyLine`. */
export async function confirm(ctl: Ctl, question: string, pyLine: number): Promise<boolean> {
  const answer = await ctl.readLine(question);
  if (answer === null) throw eofError(pyLine);
  if (answer === INTERRUPT) {
    ctl.output('');
    return false;
  }
  return answer.toLowerCase().startsWith('y');
}
