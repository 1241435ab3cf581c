import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderPartitionGroupConfig, renderSupervisordConfig, supervisordValue } from '../../../src/grid/supervisord/index.ts';

const account = { uid: 1001, gid: 1002, name: 'slapuser0', home: '/srv/slapgrid/slappart0' };

test('the partition group file has one program per executable, with the original keys', () => {
  const text = renderPartitionGroupConfig({
    partitionId: 'slappart0',
    partitionPath: '/srv/slapgrid/slappart0',
    account,
    programs: [
      { name: 'apache', command: '/srv/slapgrid/slappart0/etc/run/apache', kind: 'run' },
      { name: 'mysqld', command: '/srv/slapgrid/slappart0/etc/service/mysqld', kind: 'service' },
    ],
  });
  assert.match(text, /^\[group:slappart0\]\nprograms=slappart0_apache,slappart0_mysqld\n/);
  assert.match(text, /\[program:slappart0_apache\]\ndirectory=\/srv\/slapgrid\/slappart0\ncommand=\/srv\/slapgrid\/slappart0\/etc\/run\/apache\nprocess_name=apache\nautostart=false\n/);
  assert.match(text, /process_name=mysqld-on-watch/);
  assert.match(text, /user=1001\ngroup=1002\n/);
  assert.match(text, /stdout_logfile=\/srv\/slapgrid\/slappart0\/\.slappart0_mysqld\.log/);
  assert.match(text, /environment=USER="slapuser0",LOGNAME="slapuser0",HOME="\/srv\/slapgrid\/slappart0"/);
});

test('values supervisord would read differently are refused, naming the option', () => {
  for (const bad of ['a\nb', 'a b', 'a%(here)s', 'x;y', 'say"hi"', 'a,b', '']) {
    assert.throws(() => supervisordValue('command', bad), (error: { code?: string; message: string }) =>
      error.code === 'GRID_ERR_SUPERVISORD_CONFIG_VALUE' && error.message.includes('command'));
  }
  assert.equal(supervisordValue('command', '/srv/slapgrid/slappart0/etc/run/a-b_c.d'), '/srv/slapgrid/slappart0/etc/run/a-b_c.d');
  assert.throws(() => renderPartitionGroupConfig({
    partitionId: 'slappart0', partitionPath: '/p', account,
    programs: [{ name: 'web:1', command: '/p/etc/run/web:1', kind: 'run' }],
  }), { code: 'GRID_ERR_SUPERVISORD_CONFIG_VALUE' });
});

test('the watchdog listener is written only when a command is given', () => {
  const options = { includeDirectory: '/i/etc/supervisord.conf.d', socketPath: '/i/supervisord.socket', logFile: '/i/var/log/supervisord.log', pidFile: '/i/var/run/supervisord.pid' };
  const without = renderSupervisordConfig(options);
  assert.doesNotMatch(without, /eventlistener/);
  assert.match(without, /\[include\]\nfiles = \/i\/etc\/supervisord\.conf\.d\/\*\.conf\n/);
  assert.match(without, /\[unix_http_server\]\nfile=\/i\/supervisord\.socket\nchmod=0700\n/);
  const withWatchdog = renderSupervisordConfig({ ...options, watchdogCommand: '/opt/slapos/bin/slapos-watchdog --computer-id COMP-1' });
  assert.match(withWatchdog, /\[eventlistener:watchdog\]\ncommand=\/opt\/slapos\/bin\/slapos-watchdog --computer-id COMP-1\nevents=PROCESS_STATE_EXITED, PROCESS_STATE_FATAL\n/);
});
