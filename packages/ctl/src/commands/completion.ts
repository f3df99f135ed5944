import { Ctl } from '../ctl.js';
import { complete } from '../complete.js';
import { Exit } from '../render/faults.js';
import { getopt } from '../getopt.js';
import { realize } from '../options.js';
import type { Command } from './types.js';

/**
 * `tsupervisorctl completion bash|zsh` prints a completion script (a tsupervisorctl extension).
 * The scripts call back `completion --line "LINE_"` (a trailing mark keeps trailing spaces),
 * which prints the candidates the interactive shell would offer, one per line.
 */
export const command: Command = {
  name: 'completion',
  help: 'completion bash|zsh\tPrint a shell completion script (source it, or install it as\n\t\t\ta bash-completion or zsh site-function file)',
  async run(ctl, { arg }) {
    const which = arg.split(/\s+/)[0];
    if (which === 'bash') ctl.out.write(BASH);
    else if (which === 'zsh') ctl.out.write(ZSH);
    else if (which === '--line') {
      const line = arg.slice('--line'.length).replace(/^ /, '').slice(0, -1);
      for (const candidate of await candidates(line)) ctl.output(candidate.trimEnd());
    } else {
      ctl.output('Error: completion requires bash or zsh');
      ctl.exitstatus = Exit.INVALID_ARGS;
      ctl.output(command.help);
    }
  },
};

/** Completions for a whole command line (`tsupervisorctl -c FILE stop g:`), options honoured. */
async function candidates(line: string): Promise<string[]> {
  const words = line.split(/\s+/).filter(Boolean).slice(1);
  const endsWord = line !== '' && !/\s$/.test(line);
  let options: string[];
  let rest: string[];
  try {
    const parsed = getopt(endsWord ? words.slice(0, -1) : words, 'h?c:is:u:p:r:', ['help', 'configuration=', 'interactive', 'serverurl=', 'username=', 'password=', 'history_file=', 'json', 'color', 'no-color']);
    rest = parsed.args;
    options = words.slice(0, words.length - (endsWord ? 1 : 0) - rest.length);
  } catch {
    return [];
  }
  const commandLine = [...rest, ...(endsWord ? [words[words.length - 1]] : [])].join(' ') + (endsWord ? '' : ' ');
  let ctl: Ctl | null = null;
  try {
    return await complete(commandLine.trimStart(), async () => {
      ctl = new Ctl(realize([...options, 'status']));
      return ctl.completionInfo();
    });
  } catch {
    return [];
  } finally {
    (ctl as Ctl | null)?.close();
  }
}

const BASH = `# bash completion for tsupervisorctl: eval "$(tsupervisorctl completion bash)"
_tsupervisorctl() {
    local line=\${COMP_LINE:0:COMP_POINT}
    local word=\${line##*[[:space:]]}
    local IFS=$'\\n' candidate
    COMPREPLY=()
    for candidate in $("\${COMP_WORDS[0]}" completion --line "\${line}_" 2>/dev/null); do
        # bash splits words at ':'; offer only the part after the last ':' of the word.
        if [[ $word == *:* && $COMP_WORDBREAKS == *:* ]]; then
            candidate=\${candidate#"\${word%:*}":}
        fi
        COMPREPLY+=("$candidate ")
    done
}
complete -o nospace -F _tsupervisorctl tsupervisorctl
`;

const ZSH = `#compdef tsupervisorctl
# zsh completion for tsupervisorctl: eval "$(tsupervisorctl completion zsh)"
_tsupervisorctl() {
    local -a candidates
    candidates=("\${(@f)$(\${words[1]} completion --line "\${BUFFER[1,CURSOR]}_" 2>/dev/null)}")
    candidates=(\${candidates:#})
    (( \${#candidates} )) && compadd -Q -- "\${candidates[@]}"
}
if (( $+functions[compdef] )); then
    compdef _tsupervisorctl tsupervisorctl
fi
`;
