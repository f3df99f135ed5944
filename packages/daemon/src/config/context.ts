/** What the section readers share while one configuration is loaded. */
import type { IniDocument, IniSection } from './ini.js';
import type { PathContext } from './paths.js';
import type { UserDb } from './users.js';
import { SectionReader } from './section.js';

export interface LoadContext {
  doc: IniDocument;
  paths: PathContext;
  users: UserDb;
  /** The daemon's uid (decides the default owner of fcgi unix sockets). */
  uid: number;
  /** platform.node(): `%(host_node_name)s`. */
  hostNodeName: string;
  /** `ENV_X` names: the daemon's environment, then [supervisord] environment= once read. */
  envNames: Record<string, string>;
  /** Non-fatal problems, each a line naming file:line where known. */
  warnings: string[];
}

export function envNamesOf(env: NodeJS.ProcessEnv): Record<string, string> {
  const names: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) names[`ENV_${k}`] = v;
  return names;
}

export function readerFor(ctx: LoadContext, section: IniSection): SectionReader {
  return new SectionReader(ctx.doc, section);
}

export function warnOnce(ctx: LoadContext, message: string): void {
  if (!ctx.warnings.includes(message)) ctx.warnings.push(message);
}
