// The run path's fast parse (cmd/fast-args.ts, over the option table) must read every argv it
// accepts exactly as the full yargs CLI does; what it does not accept goes to yargs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fastRunArgs } from '../../../cmd/fast-args.js';
import { yargsRunArgs } from '../../../cmd/cli.js';
import { repeatedOption } from '../../../cmd/options.js';
import { buildRequest } from '../../../src/plan/request.js';

const same = (argv: string[]): void => {
  const fast = fastRunArgs(argv);
  if (fast === null) return;
  let full: ReturnType<typeof yargsRunArgs>;
  try {
    full = yargsRunArgs(argv);
  } catch {
    // yargs refuses it (e.g. --keep-env with --reset-env): the fast path must refuse it too,
    // before anything happens.
    assert.throws(() => buildRequest(fast.flags, null, fast.command), JSON.stringify(argv));
    return;
  }
  assert.deepEqual(fast, full, JSON.stringify(argv));
};

test('typical run lines are taken by the fast parse and agree with yargs', () => {
  const lines = [
    ['-c', '/etc/ecelerity/ecelerity.conf', '--', 'ecelerity'],
    ['-u', 'nobody', '--caps', 'cap_net_bind_service+ep', '--', '/bin/true'],
    ['-u', 'ecuser', 'id', '-u'],
    ['--user=ecuser', '-g', 'ecmail', '-G', '', '--no-new-privs', '--', 'sleep', '010'],
    ['-v', '--new-session', '--reset-env', '-u', '0', '--', 'sh', '-c', 'echo $$'],
    ['--preserve-fds', '2', '-u', 'ecuser', '--', 'cat', '--', '-x'],
    ['--chroot', '/srv/jail', '-u', '4242', '-g', '4242', 'ls', '-la', '--color'],
    ['--keep-env', '-c', 'a.conf', '--', '-weird-name'],
  ];
  for (const l of lines) {
    assert.notEqual(fastRunArgs(l), null, JSON.stringify(l));
    same(l);
  }
  assert.deepEqual(fastRunArgs(['-u', 'x', '--', 'sleep', '010'])?.command, ['sleep', '010']);
  assert.equal(fastRunArgs(['--no-new-privs', '--', 'x'])?.flags.noNewPrivs, true);
});

test("an option given twice goes to yargs, which refuses it (its reading was not getopt's)", () => {
  assert.equal(fastRunArgs(['-u', 'a', '-u', 'b', '--', 'x']), null);
  assert.equal(fastRunArgs(['--preserve-fds', '3', '--preserve-fds', '1', 'x']), null);
  assert.throws(
    () => yargsRunArgs(['-u', 'a', '-u', 'b', '--', 'x']),
    /option --user is given more than once/,
  );
  assert.throws(
    () => yargsRunArgs(['--preserve-fds', '3', '--preserve-fds=1', 'x']),
    /option --preserve-fds is given more than once/,
  );
});

test('repeatedOption: every form of a name is the same option; values, commands and -- are not options', () => {
  const cases: [string[], string | undefined][] = [
    [['-u', 'a', '--user=b', 'x'], 'user'],
    [['-vu', 'a', '--verbose', 'x'], 'verbose'],
    [['-vv', 'x'], 'verbose'],
    [['-c', '-c'], 'config'], // a value starting with "-" is not taken: yargs reads two -c
    [['-G', '', '--groups', 'x', 'y'], 'groups'],
    [['-u', '-u'], 'user'],
    [['-u', 'a', 'cmd', '-u', 'b'], undefined], // the command's own options
    [['-u', 'a', '--', 'cmd', '-u', 'b'], undefined],
    [['--user', '--user', 'x'], 'user'],
    [['explain', '-u', 'a', '--json', '--json'], 'json'],
    [['explain', '--format', 'json', '--format=k8s'], 'format'],
    [['explain', '-u', 'a', '--', 'cmd', '-u', 'b'], undefined],
    [['check', 'f', '-c', 'g'], undefined],
    [['check', '-c', 'f', '--config', 'g'], 'config'],
    [['caps', '--json', 'cap_chown+p', '--json'], 'json'],
    [['caps', 'cap_chown+p', 'cap_chown+p'], undefined],
    [['--help', '-h'], 'help'],
  ];
  for (const [argv, want] of cases) assert.equal(repeatedOption(argv), want, JSON.stringify(argv));
});

test('attached short values (-unobody, -Gadm,ecmail) are read by both, as getopt reads them', () => {
  const lines = [
    ['-unobody', '--', 'x'],
    ['-Gadm,ecmail', '-uecuser', 'id'],
    ['-c/etc/ecelerity.conf', '-g4242', '--', 'x'],
    ['-uroot:adm', 'x'],
  ];
  for (const l of lines) {
    assert.notEqual(fastRunArgs(l), null, JSON.stringify(l));
    same(l);
  }
  assert.equal(fastRunArgs(['-unobody', 'x'])?.flags.user, 'nobody');
  assert.equal(yargsRunArgs(['-Gadm,ecmail', 'x']).flags.groups, 'adm,ecmail');
  // -u=x: yargs reads x, getopt "=x": left to yargs; grouped booleans too
  assert.equal(fastRunArgs(['-u=x', 'y']), null);
  assert.equal(fastRunArgs(['-vv', 'y']), null);
});

test('what the fast parse refuses goes to yargs (help, version, unknown or malformed options)', () => {
  for (const l of [
    ['--help'],
    ['-h'],
    ['--version'],
    ['--bogus', '--', 'x'],
    ['-u'],
    ['--preserve-fds', 'x', '--', 'y'],
    ['-X', '--', 'x'],
    [],
  ]) {
    assert.equal(fastRunArgs(l), null, JSON.stringify(l));
  }
});

test('property: for generated argv, the fast parse agrees with yargs whenever it accepts', () => {
  const word = fc.stringMatching(/^[a-z0-9_./=+-]{0,8}$/);
  const opt = fc.oneof(
    fc
      .tuple(
        fc.constantFrom(
          '-c',
          '--config',
          '-u',
          '--user',
          '-g',
          '--group',
          '-G',
          '--groups',
          '--chroot',
          '--caps',
        ),
        word,
      )
      .map(([o, v]) => [o, v]),
    fc
      .tuple(fc.constantFrom('--config', '--user', '--caps', '--groups'), word)
      .map(([o, v]) => [`${o}=${v}`]),
    fc.constantFrom(
      ['--no-new-privs'],
      ['--keep-env'],
      ['--reset-env'],
      ['--new-session'],
      ['-v'],
      ['--verbose'],
      ['-vv'],
    ),
    fc.tuple(fc.constantFrom('-c', '-u', '-g', '-G', '-v'), word).map(([o, v]) => [`${o}${v}`]),
    fc
      .tuple(fc.constant('--preserve-fds'), fc.constantFrom('0', '1', '3', '010', 'x', ''))
      .map(([o, v]) => [o, v]),
    word.map((w) => [w]),
  );
  fc.assert(
    fc.property(
      fc.array(opt, { maxLength: 6 }),
      fc.boolean(),
      fc.array(word, { maxLength: 4 }),
      (opts, dash, cmd) => {
        const argv = [...opts.flat(), ...(dash ? ['--'] : []), ...cmd];
        same(argv);
      },
    ),
    { numRuns: 1500, seed: 4242 },
  );
});

test('a repeatable option collects its values in both parsers; the others keep the last', () => {
  const argv = [
    '--rlimit',
    'nofile=10',
    '--landlock-access',
    'fs',
    '--rlimit=core=0',
    '--landlock-rule',
    'path-beneath::/usr',
    '--umask',
    '027',
    '--',
    'x',
  ];
  assert.deepEqual(fastRunArgs(argv)?.flags.rlimit, ['nofile=10', 'core=0']);
  same(argv);
  assert.deepEqual(yargsRunArgs(['--rlimit', 'nofile=1', 'cmd', '--rlimit', 'x']).command, [
    'cmd',
    '--rlimit',
    'x',
  ]);
  assert.deepEqual(yargsRunArgs(['--rlimit', 'nofile=1', '--', 'cmd']).flags.rlimit, ['nofile=1']);
});
