/**
 * The metric families the daemon exposes, as data, and their text: Prometheus' text exposition
 * format 0.0.4, or OpenMetrics 1.0 when the scraper's Accept asks for application/openmetrics-text.
 * Written here rather than with a metrics library: the collectors build the families afresh at
 * each scrape from the daemon's own state, so all that is needed is the writer; `promtool check
 * metrics` is its referee (test/metrics.test.ts).
 *
 * A family is named as in the Prometheus format (a counter ends in `_total`, an info metric in
 * `_info`); the OpenMetrics writer derives its MetricFamily name (without the suffix) from it.
 */

export type MetricType = 'gauge' | 'counter' | 'info';

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  /** The series name: `tsupervisor_process_spawns_total`, `tsupervisor_build_info`. */
  name: string;
  type: MetricType;
  help: string;
  /** OpenMetrics' UNIT (`seconds`, `bytes`): the name must end with it (before `_total`). */
  unit?: 'seconds' | 'bytes';
  samples: Sample[];
}

export type ExpositionFormat = 'prometheus' | 'openmetrics';

export const CONTENT_TYPES: Record<ExpositionFormat, string> = {
  prometheus: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
};

/** The format a scraper asks for: OpenMetrics when its Accept names it, else Prometheus' text. */
export function negotiate(accept: string | undefined): ExpositionFormat {
  return accept && /application\/openmetrics-text/i.test(accept) ? 'openmetrics' : 'prometheus';
}

/** HELP text: backslash and newline escaped (both formats); OpenMetrics also escapes `"`. */
function escapeHelp(text: string, format: ExpositionFormat): string {
  const t = text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return format === 'openmetrics' ? t.replace(/"/g, '\\"') : t;
}

const NEEDS_ESCAPE = /[\\\n"]/;

function escapeLabel(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** `{k="v",…}` ('' for none); a plain loop: a scrape of 1,000 programs writes ~20,000 of them. */
function labelText(labels: Record<string, string>): string {
  let out = '';
  for (const k in labels) out += `${out === '' ? '{' : ','}${k}="${escapeLabel(labels[k]!)}"`;
  return out === '' ? '' : `${out}}`;
}

/** The OpenMetrics MetricFamily name: the series name without `_total` / `_info`. */
function familyName(f: Family): string {
  if (f.type === 'counter') return f.name.replace(/_total$/, '');
  if (f.type === 'info') return f.name.replace(/_info$/, '');
  return f.name;
}

/** The exposition text of `families` (families with no samples are left out). */
export function render(families: readonly Family[], format: ExpositionFormat): string {
  const out: string[] = [];
  for (const f of families) {
    if (f.samples.length === 0) continue;
    const meta = format === 'openmetrics' ? familyName(f) : f.name;
    // Prometheus' 0.0.4 text has no info type: an info metric is a gauge of value 1.
    const type = format === 'prometheus' && f.type === 'info' ? 'gauge' : f.type;
    out.push(`# HELP ${meta} ${escapeHelp(f.help, format)}`, `# TYPE ${meta} ${type}`);
    if (format === 'openmetrics' && f.unit) out.push(`# UNIT ${meta} ${f.unit}`);
    for (const s of f.samples) out.push(`${f.name}${labelText(s.labels)} ${formatValue(s.value)}`);
  }
  if (format === 'openmetrics') out.push('# EOF');
  return `${out.join('\n')}\n`;
}
