/**
 * rpc/audit.ts: where audit_logfile=AUTO puts the trail (beside a regular-file main log, else
 * in childlogdir), and the lines it appends to a real file: order, escaping of odd names,
 * refused calls, a failing file reported once in the main log.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Logger } from '../src/logger.js';
import { AUDIT_AUTO_NAME, auditPath, openAuditLog } from '../src/calls/audit.js';

function withDir(body: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tsv-audit-'));
  return Promise.resolve(body(dir)).finally(() => rmSync(dir, { recursive: true, force: true }));
}

async function waitFor(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('auditPath', () => {
  it('AUTO: beside a main log that is a regular file or not there yet; in childlogdir for syslog and special files', () =>
    withDir((dir) => {
      const kids = join(dir, 'kids');
      const logfile = join(dir, 'supervisord.log');
      assert.equal(auditPath({ logfile, childlogdir: kids, auditLogfile: 'AUTO' }), join(dir, AUDIT_AUTO_NAME));
      writeFileSync(logfile, '');
      assert.equal(auditPath({ logfile, childlogdir: kids, auditLogfile: 'AUTO' }), join(dir, AUDIT_AUTO_NAME));
      assert.equal(auditPath({ logfile: '/dev/stdout', childlogdir: kids, auditLogfile: 'AUTO' }), join(kids, AUDIT_AUTO_NAME));
      assert.equal(auditPath({ logfile: '/dev/null', childlogdir: kids, auditLogfile: 'AUTO' }), join(kids, AUDIT_AUTO_NAME));
      assert.equal(auditPath({ logfile: 'syslog', childlogdir: kids, auditLogfile: 'AUTO' }), join(kids, AUDIT_AUTO_NAME));
      assert.equal(auditPath({ logfile, childlogdir: kids, auditLogfile: null }), null);
      assert.equal(auditPath({ logfile, childlogdir: kids, auditLogfile: '/var/log/x.log' }), '/var/log/x.log');
    }));
});

describe('openAuditLog', () => {
  it('appends one line per call in order, odd names escaped, refusals named', () =>
    withDir(async (dir) => {
      const path = join(dir, 'audit.log');
      const errors: string[] = [];
      const logger: Logger = { log: (_level, message) => errors.push(message) };
      const audit = openAuditLog(path, logger);
      audit.record('supervisor.startProcess', { name: 'web' }, { uid: 0, pid: 42 }, null);
      audit.record('supervisor.stopProcess', { name: 'we b\nINJECTED', _auth: { password: 'x' } }, { uid: 4242424, pid: 7 }, 'UNAUTHORIZED');
      audit.record('tsupervisor.update', { names: ['a', 'b'] }, undefined, null);
      audit.record('supervisor.stopProcess', { name: 'web' }, { remote: '127.0.0.1:40123' }, null);
      audit.record('supervisor.signalProcess', { name: 'g:*', signal: 'HUP' }, { uid: 0, pid: 1 }, null);
      // the first append is asynchronous: the file may not exist yet
      await waitFor(() => existsSync(path) && readFileSync(path, 'utf8').split('\n').length === 6);
      const lines = readFileSync(path, 'utf8').split('\n');
      const stamp = '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3}';
      assert.match(lines[0]!, new RegExp(`^${stamp} supervisor\\.startProcess name=web uid=0\\(root\\) pid=42 ok$`));
      // no user of that uid: the uid alone; a newline and a space in a name cannot forge a line
      assert.match(lines[1]!, new RegExp(`^${stamp} supervisor\\.stopProcess name=we\\\\u0020b\\\\nINJECTED uid=4242424 pid=7 refused UNAUTHORIZED$`));
      assert.match(lines[2]!, new RegExp(`^${stamp} tsupervisor\\.update names=a,b uid=\\? pid=\\? ok$`));
      // over TCP ([inet_http_server]) there are no peer credentials: the address
      assert.match(lines[3]!, new RegExp(`^${stamp} supervisor\\.stopProcess name=web from=127\\.0\\.0\\.1:40123 ok$`));
      assert.match(lines[4]!, new RegExp(`^${stamp} supervisor\\.signalProcess name=g:\\* signal=HUP uid=0\\(root\\) pid=1 ok$`));
      assert.ok(!readFileSync(path, 'utf8').includes('password'));
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.deepEqual(errors, []);
    }));

  it('a file that cannot be written is reported once in the main log, and writing resumes', () =>
    withDir(async (dir) => {
      const path = join(dir, 'gone', 'audit.log');
      const errors: string[] = [];
      const audit = openAuditLog(path, { log: (level, message) => errors.push(`${level} ${message}`) });
      audit.record('supervisor.startProcess', { name: 'a' }, { uid: 0, pid: 1 }, null);
      await waitFor(() => errors.length === 1);
      audit.record('supervisor.startProcess', { name: 'b' }, { uid: 0, pid: 1 }, null);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(errors.length, 1, errors.join('\n'));
      assert.match(errors[0]!, /^error audit log .*gone\/audit\.log: ENOENT/);
      mkdirSync(join(dir, 'gone'));
      audit.record('supervisor.stopProcess', { name: 'c' }, { uid: 0, pid: 1 }, null);
      await waitFor(() => existsSync(path) && readFileSync(path, 'utf8').includes('name=c'));
      assert.equal(errors.length, 1);
    }));
});
