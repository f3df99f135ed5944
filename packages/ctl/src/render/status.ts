/** `status` lines: `%-{max(30,longest)+3}s%-10s%s` (DefaultControllerPlugin._show_statuses). */
import type { ProcessInfo } from '@tsupervisor/protocol';
import { makeNamespec } from '../namespec.js';
import type { Painter } from './color.js';
import { describe } from './describe.js';
import { ljust, pyLen } from './text.js';

export function statusLines(infos: ProcessInfo[], paint?: Painter | null, now?: number): string[] {
  const namespecs = infos.map((info) => makeNamespec(info.group, info.name));
  const width = Math.max(30, ...namespecs.map(pyLen)) + 3;
  return infos.map((info, i) => {
    const state = info.statename;
    const padded = ljust(state, 10);
    const column = paint ? paint(state, state) + padded.slice(state.length) : padded;
    const description = typeof info.description === 'string' ? info.description : describe(info, now);
    return ljust(namespecs[i], width) + column + description;
  });
}
