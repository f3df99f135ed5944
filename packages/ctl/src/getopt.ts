/**
 * Python's getopt.getopt, which supervisorctl's option parsing is built on: options stop at the
 * first non-option word (`supervisorctl status -c x` passes `-c x` to status), short options
 * cluster (`-ic FILE`), long options match a unique prefix (`--conf=FILE`). Error texts are
 * getopt's. yargs is not used: its import alone costs ~65 ms (more than node's own start-up,
 * measured with hyperfine), and its grammar differs from getopt's in exactly these points.
 */

export class GetoptError extends Error {}

export interface Parsed {
  options: Array<[option: string, value: string]>;
  args: string[];
}

/** `shortopts` as getopt's ("c:i"); `longopts` as getopt's (["configuration=", "interactive"]). */
export function getopt(argv: string[], shortopts: string, longopts: string[]): Parsed {
  const options: Array<[string, string]> = [];
  let args = argv.slice();
  while (args.length > 0 && args[0].startsWith('-') && args[0] !== '-') {
    if (args[0] === '--') {
      args = args.slice(1);
      break;
    }
    const word = args.shift()!;
    if (word.startsWith('--')) {
      args = doLong(options, word.slice(2), longopts, args);
    } else {
      args = doShort(options, word.slice(1), shortopts, args);
    }
  }
  return { options, args };
}

function doLong(options: Array<[string, string]>, opt: string, longopts: string[], args: string[]): string[] {
  let optarg: string | null = null;
  const eq = opt.indexOf('=');
  if (eq >= 0) {
    optarg = opt.slice(eq + 1);
    opt = opt.slice(0, eq);
  }
  const [hasArg, full] = longHasArgs(opt, longopts);
  if (hasArg) {
    if (optarg === null) {
      if (args.length === 0) throw new GetoptError(`option --${full} requires argument`);
      optarg = args[0];
      args = args.slice(1);
    }
  } else if (optarg !== null) {
    throw new GetoptError(`option --${full} must not have an argument`);
  }
  options.push([`--${full}`, optarg ?? '']);
  return args;
}

function longHasArgs(opt: string, longopts: string[]): [boolean, string] {
  const possibilities = longopts.filter((o) => o.startsWith(opt));
  if (possibilities.length === 0) throw new GetoptError(`option --${opt} not recognized`);
  if (possibilities.includes(opt)) return [false, opt];
  if (possibilities.includes(`${opt}=`)) return [true, opt];
  if (possibilities.length > 1) throw new GetoptError(`option --${opt} not a unique prefix`);
  const match = possibilities[0];
  return match.endsWith('=') ? [true, match.slice(0, -1)] : [false, match];
}

function doShort(options: Array<[string, string]>, optstring: string, shortopts: string, args: string[]): string[] {
  while (optstring !== '') {
    const opt = optstring[0];
    optstring = optstring.slice(1);
    let optarg = '';
    if (shortHasArg(opt, shortopts)) {
      if (optstring === '') {
        if (args.length === 0) throw new GetoptError(`option -${opt} requires argument`);
        optstring = args[0];
        args = args.slice(1);
      }
      optarg = optstring;
      optstring = '';
    }
    options.push([`-${opt}`, optarg]);
  }
  return args;
}

function shortHasArg(opt: string, shortopts: string): boolean {
  for (let i = 0; i < shortopts.length; i++) {
    if (opt === shortopts[i] && opt !== ':') return shortopts.startsWith(':', i + 1);
  }
  throw new GetoptError(`option -${opt} not recognized`);
}
