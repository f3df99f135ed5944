/** Per-process outcomes of start/stop/restart/signal/clear: text lines, or one JSON document. */
import type { Ctl } from '../ctl.js';
import type { Outcome } from '../render/faults.js';
import { jsonText, outcomeJson } from '../render/json.js';

export class Reporter {
  private readonly items: Array<Record<string, unknown>> = [];

  constructor(
    private readonly ctl: Ctl,
    readonly json: boolean,
  ) {}

  add(action: string, outcome: Outcome, text: string): void {
    if (this.json) this.items.push(outcomeJson(action, outcome, text));
    else this.ctl.output(text);
  }

  flush(): void {
    if (this.json) this.ctl.output(jsonText(this.items));
  }
}

/** An outcome for a group name the daemon did not know (printed `g: ERROR (no such group)`). */
export function noSuchGroup(group: string): Outcome {
  return { name: null, group, status: 10, description: `BAD_NAME: ${group}` };
}
