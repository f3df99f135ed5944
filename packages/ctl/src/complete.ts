/**
 * Tab completion as supervisorctl's Controller.complete: command names for the first word and
 * for `help`; group names for add/remove/update; process names (`name`, `group:name`,
 * `group:*`) for the process commands. Pure: the process infos are passed in.
 */
import type { ProcessInfo } from '@tsupervisor/protocol';
import { type CommandEntry, COMMANDS, vocabulary } from './commands/index.js';

type Info = Pick<ProcessInfo, 'name' | 'group'>;

/** readline's word delimiters without `:`, `*` and `-` (so `g:*` and `my-prog` are one word). */
const WORD = /[^\s`~!@#$%^&()=+[{\]}\\|;'",<>/?]*$/;

export function currentWord(line: string): string {
  return WORD.exec(line)![0];
}

export type Kind = 'actions' | 'groups' | 'processes' | null;

export function completionKind(line: string, commands: readonly CommandEntry[] = COMMANDS): Kind {
  if (line.trim() === '') return 'actions';
  const words = line.trim().split(/\s+/);
  if (words.length === 1 && !/\s$/.test(line)) return 'actions';
  const action = words[0];
  // Python's `action in ('help')` is a substring test of the string 'help'.
  if ('help'.includes(action)) return 'actions';
  return commands.find((c) => c.name === action)?.completes ?? null;
}

export function completeActions(text: string, vocab = vocabulary()): string[] {
  return vocab.filter((a) => a.startsWith(text)).map((a) => `${a} `);
}

export function completeGroups(text: string, infos: Info[]): string[] {
  const groups = [...new Set(infos.map((i) => i.group))];
  return groups.filter((g) => g.startsWith(text)).map((g) => `${g} `);
}

export function completeProcesses(text: string, infos: Info[]): string[] {
  const names: string[] = [];
  for (const info of infos) {
    if (text.includes(':') || info.name !== info.group) {
      names.push(`${info.group}:${info.name}`);
      if (!names.includes(`${info.group}:*`)) names.push(`${info.group}:*`);
    } else names.push(info.name);
  }
  return names.filter((p) => p.startsWith(text)).map((p) => `${p} `);
}

/** Completions for the word at the end of `line`; infos are fetched only when needed. */
export async function complete(line: string, loadInfos: () => Promise<Info[]>): Promise<string[]> {
  const text = currentWord(line);
  switch (completionKind(line)) {
    case 'actions':
      return completeActions(text);
    case 'groups':
      return completeGroups(text, await loadInfos());
    case 'processes':
      return completeProcesses(text, await loadInfos());
    default:
      return [];
  }
}
