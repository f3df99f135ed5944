/**
 * A Python exception other than a supervisor fault, named as Python names it. The daemon raises
 * one where supervisord's method would fail with it (answered with HTTP 500, or as
 * `FAILED: <class 'T'>:message` inside system.multicall); the ctl where supervisorctl would,
 * printed by onecmd with the file and line it came from in supervisor 4.2.5.
 */
export class PythonError extends Error {
  /**
   * `pyType`: Python's class name (`AttributeError`, `xmlrpc.client.Fault` …). `file` and
   * `line`: where supervisor raised it, for supervisorctl's text (the daemon needs neither).
   */
  constructor(
    readonly pyType: string,
    message: string,
    readonly file = '',
    readonly line = 0,
  ) {
    super(message);
  }

  /** supervisorctl's onecmd: `error: <class 'T'>, V: file: F line: L`. */
  render(): string {
    return `error: <class '${this.pyType}'>, ${this.message}: file: ${this.file} line: ${this.line}`;
  }
}
