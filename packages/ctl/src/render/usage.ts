/** `-h`: supervisorctl's module docstring with the program name, then our extensions. */

const DOC = `supervisorctl -- control applications run by supervisord from the cmd line.

Usage: %s [options] [action [arguments]]

Options:
-c/--configuration FILENAME -- configuration file path (searches if not given)
-h/--help -- print usage message and exit
-i/--interactive -- start an interactive shell after executing commands
-s/--serverurl URL -- URL on which supervisord server is listening
     (default "http://localhost:9001").
-u/--username USERNAME -- username to use for authentication with server
-p/--password PASSWORD -- password to use for authentication with server
-r/--history-file -- keep a readline history (if readline is available)

action [arguments] -- see below

Actions are commands like "tail" or "stop".  If -i is specified or no action is
specified on the command line, a "shell" interpreting actions typed
interactively is started.  Use the action "help" to find out about available
actions.
`;

const EXTENSIONS = `
tsupervisorctl extensions:
--json -- print one JSON document (status, avail, pid, reread, update, start,
     stop, restart, signal); also accepted after the action ("status --json")
--color/--no-color -- colour process states (default: on when stdout is a
     terminal and NO_COLOR is not set)
tail -f <name|gname:*>[,<name>...] [stdout|stderr] -- follow several logs at
     once, each line prefixed with its process name
maintail -f -- follow the supervisord log
completion bash|zsh -- print a shell completion script
`;

/** Options.help: the doc with `%s` replaced by the program name, plus a newline. */
export function usageText(progname: string): string {
  return DOC.replace('%s', progname) + EXTENSIONS + '\n';
}

/** Options.usage: a usage error (stderr, exit 2). */
export function usageErrorText(message: string, progname: string): string {
  return `Error: ${message}\nFor help, use ${progname} -h\n`;
}
