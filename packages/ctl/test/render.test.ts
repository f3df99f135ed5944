import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ProcessInfo } from '@tsupervisor/protocol';
import { availLine } from '../src/render/avail.js';
import { stateColour, wantColour } from '../src/render/color.js';
import { describe as describeInfo, formatStopDate, formatUptime } from '../src/render/describe.js';
import { columnize, topicsText } from '../src/render/help.js';
import { rereadLines } from '../src/render/reread.js';
import { statusLines } from '../src/render/status.js';
import { isUpdateFailure, updateLine } from '../src/render/update.js';
import { usageErrorText } from '../src/render/usage.js';
import { listedNames } from '../src/commands/index.js';

process.env.TZ = 'UTC';

function info(over: Partial<ProcessInfo>): ProcessInfo {
  return {
    name: 'a', group: 'a', description: '', start: 0, stop: 0, now: 0, state: 0, statename: 'STOPPED',
    spawnerr: '', exitstatus: 0, logfile: '', stdout_logfile: '', stderr_logfile: '', pid: 0, ...over,
  };
}

describe('status lines', () => {
  test('namespec column is max(30, longest)+3 wide, state 10', () => {
    const lines = statusLines([
      info({ name: 'a', group: 'g', statename: 'RUNNING', description: 'pid 1, uptime 0:00:01' }),
      info({ name: 'solo', group: 'solo', statename: 'STOPPED', description: 'Not started' }),
      info({ name: 'n', group: 'g', statename: 'STARTING', description: '' }),
    ]);
    assert.deepEqual(lines, [
      'g:a                              RUNNING   pid 1, uptime 0:00:01',
      'solo                             STOPPED   Not started',
      'g:n                              STARTING  ',
    ]);
  });
  test('a long name widens the column for every line', () => {
    const long = 'x'.repeat(40);
    const lines = statusLines([info({ name: long, group: long, statename: 'FATAL', description: 'boom' }), info({})]);
    assert.equal(lines[0], `${long}   FATAL     boom`);
    assert.equal(lines[1], `a${' '.repeat(42)}STOPPED   `);
  });
  test('colour wraps only the state word; widths stay', () => {
    const paint = (state: string, text: string) => `<${state}>${text}</>`;
    const [line] = statusLines([info({ statename: 'RUNNING', description: 'd' })], paint);
    assert.equal(line, `a${' '.repeat(32)}<RUNNING>RUNNING</>   d`);
  });
  test('missing description falls back to supervisord rules', () => {
    const [line] = statusLines([{ ...info({ statename: 'RUNNING', pid: 7, start: 100, now: 3761 }), description: undefined as unknown as string }]);
    assert.equal(line, `a${' '.repeat(32)}RUNNING   pid 7, uptime 1:01:01`);
  });
});

describe('descriptions (rpcinterface._interpretProcessInfo)', () => {
  test('uptime like str(timedelta)', () => {
    assert.equal(formatUptime(0), '0:00:00');
    assert.equal(formatUptime(59), '0:00:59');
    assert.equal(formatUptime(3600 * 23 + 61), '23:01:01');
    assert.equal(formatUptime(86400), '1 day, 0:00:00');
    assert.equal(formatUptime(86400 * 3 + 3661), '3 days, 1:01:01');
    assert.equal(formatUptime(-5), '0:00:00');
  });
  test('stop dates as %b %d %I:%M %p', () => {
    assert.equal(formatStopDate(Date.UTC(2023, 10, 14, 22, 13, 20) / 1000), 'Nov 14 10:13 PM');
    assert.equal(formatStopDate(Date.UTC(2024, 0, 5, 0, 7) / 1000), 'Jan 05 12:07 AM');
    assert.equal(formatStopDate(Date.UTC(2024, 6, 9, 12, 0) / 1000), 'Jul 09 12:00 PM');
    assert.equal(formatStopDate(Date.UTC(2024, 6, 9, 9, 5) / 1000), 'Jul 09 09:05 AM');
  });
  test('per state', () => {
    assert.equal(describeInfo(info({ statename: 'RUNNING', pid: 3, start: 10, now: 15 })), 'pid 3, uptime 0:00:05');
    assert.equal(describeInfo(info({ statename: 'FATAL', spawnerr: 'bad' })), 'bad');
    assert.equal(describeInfo(info({ statename: 'BACKOFF', name: 'w' })), 'unknown error (try "tail w")');
    assert.equal(describeInfo(info({ statename: 'STOPPED' })), 'Not started');
    assert.equal(describeInfo(info({ statename: 'EXITED', start: 1, stop: 0 })), 'Jan 01 12:00 AM');
    assert.equal(describeInfo(info({ statename: 'STARTING' })), '');
    assert.equal(describeInfo(info({ statename: 'STOPPING' })), '');
  });
});

describe('colours', () => {
  test('state colours', () => {
    assert.equal(stateColour('RUNNING'), 'green');
    assert.equal(stateColour('STARTING'), 'yellow');
    assert.equal(stateColour('STOPPING'), 'yellow');
    assert.equal(stateColour('FATAL'), 'red');
    assert.equal(stateColour('BACKOFF'), 'red');
    assert.equal(stateColour('STOPPED'), 'dim');
    assert.equal(stateColour('EXITED'), 'dim');
    assert.equal(stateColour('UNKNOWN'), null);
  });
  test('when', () => {
    assert.equal(wantColour(null, true, {}), true);
    assert.equal(wantColour(null, false, {}), false);
    assert.equal(wantColour(null, true, { NO_COLOR: '1' }), false);
    assert.equal(wantColour(null, true, { NO_COLOR: '' }), true);
    assert.equal(wantColour(true, false, { NO_COLOR: '1' }), true);
    assert.equal(wantColour(false, true, {}), false);
  });
});

describe('avail, reread, update', () => {
  test('avail: %-32s %-9s %-9s %s', () => {
    assert.equal(
      availLine({ name: 'a', group: 'g', inuse: true, autostart: true, group_prio: 999, process_prio: 5 }),
      'g:a                              in use    auto      999:5',
    );
    assert.equal(
      availLine({ name: 'b', group: 'b', inuse: false, autostart: false, group_prio: 1, process_prio: 1 }),
      'b                                avail     manual    1:1',
    );
  });
  test('reread: sorted, later lists win, or no updates', () => {
    assert.deepEqual(rereadLines({ added: [], changed: [], removed: [] }), ['No config updates to processes']);
    assert.deepEqual(rereadLines({ added: ['newp', 'B'], changed: ['g', 'solo', 'manual'], removed: ['quick'] }), [
      'B: available', 'g: changed', 'manual: changed', 'newp: available', 'quick: disappeared', 'solo: changed',
    ]);
    assert.deepEqual(rereadLines({ added: ['x'], changed: ['x'], removed: [] }), ['x: changed']);
  });
  test('update lines as do_update prints them', () => {
    const lines = (['stopped', 'removed', 'updated', 'added', 'problems', 'nosuchgroup'] as const).map((action) =>
      updateLine({ group: 'g', action }),
    );
    assert.deepEqual(lines, [
      'g: stopped', 'g: removed process group', 'g: updated process group', 'g: added process group',
      'g: has problems; not removing', 'ERROR: no such group: g',
    ]);
    assert.equal(isUpdateFailure({ group: 'g', action: 'problems' }), true);
    assert.equal(isUpdateFailure({ group: 'g', action: 'nosuchgroup' }), true);
    assert.equal(isUpdateFailure({ group: 'g', action: 'added' }), false);
  });
});

describe('help', () => {
  test('topics exactly as supervisorctl 4.2.5', () => {
    assert.equal(
      topicsText(listedNames()),
      [
        '',
        'default commands (type help <topic>):',
        '=====================================',
        'add    exit      open  reload  restart   start   tail   ',
        'avail  fg        pid   remove  shutdown  status  update ',
        'clear  maintail  quit  reread  signal    stop    version',
        '',
      ].join('\n'),
    );
  });
  test('columnize like cmd.Cmd', () => {
    assert.deepEqual(columnize(['a']), ['a']);
    assert.deepEqual(columnize([]), ['<empty>']);
    assert.deepEqual(columnize(['aa', 'b', 'c'], 79), ['aa  b  c']);
    assert.deepEqual(columnize(['x'.repeat(50), 'y'.repeat(50)], 79), ['x'.repeat(50), 'y'.repeat(50)]);
  });
  test('usage error', () => {
    assert.equal(usageErrorText('option -x not recognized', 'p'), 'Error: option -x not recognized\nFor help, use p -h\n');
  });
});

describe('avail order', () => {
  test('by process name, stable, as supervisord sorts getAllConfigInfo', async () => {
    const { availOrder } = await import('../src/render/avail.js');
    const rows = [{ name: 'idle', group: 'idle' }, { name: 'b', group: 'g' }, { name: 'a', group: 'g' }, { name: 'a', group: 'h' }];
    assert.deepEqual(availOrder(rows).map((r) => `${r.group}:${r.name}`), ['g:a', 'h:a', 'g:b', 'idle:idle']);
  });
});
