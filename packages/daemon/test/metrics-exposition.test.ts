import { test } from 'node:test';
import assert from 'node:assert/strict';
import { negotiate, render, type Family } from '../src/metrics/exposition.js';

const families: Family[] = [
  { name: 'x_spawns_total', type: 'counter', help: 'Spawns\\ of "x"\nper process.', samples: [{ labels: { name: 'a"b\\c\nd' }, value: 2 }] },
  { name: 'x_build_info', type: 'info', help: 'Build.', samples: [{ labels: { version: '1' }, value: 1 }] },
  { name: 'x_start_time_seconds', type: 'gauge', help: 'Start.', unit: 'seconds', samples: [{ labels: {}, value: 1.5 }] },
  { name: 'x_empty', type: 'gauge', help: 'Nothing.', samples: [] },
];

test('Prometheus text 0.0.4: HELP escaped, label values escaped, info as gauge, empty families left out', () => {
  assert.equal(
    render(families, 'prometheus'),
    [
      '# HELP x_spawns_total Spawns\\\\ of "x"\\nper process.',
      '# TYPE x_spawns_total counter',
      'x_spawns_total{name="a\\"b\\\\c\\nd"} 2',
      '# HELP x_build_info Build.',
      '# TYPE x_build_info gauge',
      'x_build_info{version="1"} 1',
      '# HELP x_start_time_seconds Start.',
      '# TYPE x_start_time_seconds gauge',
      'x_start_time_seconds 1.5',
      '',
    ].join('\n'),
  );
});

test('OpenMetrics 1.0: family names without _total/_info, UNIT, quotes in HELP escaped, # EOF', () => {
  const text = render(families, 'openmetrics');
  assert.match(text, /^# HELP x_spawns Spawns\\\\ of \\"x\\"\\nper process\.$/m);
  assert.match(text, /^# TYPE x_spawns counter\nx_spawns_total\{/m);
  assert.match(text, /^# TYPE x_build info\nx_build_info\{version="1"\} 1$/m);
  assert.match(text, /^# UNIT x_start_time_seconds seconds$/m);
  assert.ok(text.endsWith('\n# EOF\n'));
});

test('the format follows the Accept header', () => {
  assert.equal(negotiate(undefined), 'prometheus');
  assert.equal(negotiate('text/plain;version=0.0.4;q=0.5,*/*;q=0.1'), 'prometheus');
  assert.equal(negotiate('application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5'), 'openmetrics');
});
