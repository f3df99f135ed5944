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
    return ljust(namespecs[i], width) + column + statusDescription(info, now);
  });
}

/**
 * The description status shows: supervisor's, except while tsupervisord holds the process for
 * its depends_on= (`waiting for db (ready)`) or left it STOPPED for a failed dependency.
 */
export function statusDescription(info: ProcessInfo, now?: number): string {
  if (info.waiting_for?.length) return `waiting for ${info.waiting_for.join(', ')}`;
  if (info.dependency_error && info.statename === 'STOPPED') return info.dependency_error;
  return typeof info.description === 'string' ? info.description : describe(info, now);
}
