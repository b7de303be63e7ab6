import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SecwrapError } from '../../../src/errors.js';
import {
  PrivilegesError,
  capNumber,
  privilegesFromText,
  solarisTables,
} from '../../../src/caps/index.js';

const {
  privileges: SOLARIS_PRIVILEGES,
  basic: SOLARIS_BASIC,
  toLinux: SOLARIS_TO_LINUX,
} = solarisTables();

function bits(...names: string[]): bigint {
  return names.reduce((m, n) => m | (1n << BigInt(capNumber(n) ?? -1)), 0n);
}

function perr(text: string): PrivilegesError {
  try {
    privilegesFromText(text);
  } catch (err) {
    assert.ok(err instanceof PrivilegesError, String(err));
    return err;
  }
  assert.fail(`${JSON.stringify(text)} was accepted`);
}

const BASIC8 = [
  'file_link_any',
  'file_read',
  'file_write',
  'net_access',
  'proc_exec',
  'proc_fork',
  'proc_info',
  'proc_session',
];

describe('privilegesFromText: priv_str_to_set rules', () => {
  test('empty text is the empty set', () => {
    assert.deepEqual(privilegesFromText(''), {
      privileges: [],
      linuxCaps: 0n,
      linuxText: 'none',
      unmapped: [],
    });
    assert.deepEqual(privilegesFromText(' , ,').privileges, []);
  });
  test('basic expands to the basic set (illumos: 8 + proc_secflags), mapping to no Linux cap', () => {
    const r = privilegesFromText('basic');
    assert.deepEqual(r.privileges, [...BASIC8, 'proc_secflags'].sort());
    assert.deepEqual([...SOLARIS_BASIC].sort(), r.privileges);
    assert.equal(r.linuxCaps, 0n);
    assert.equal(r.linuxText, 'none');
    assert.deepEqual(r.unmapped, []);
  });
  test('tokens apply left to right; none resets', () => {
    assert.deepEqual(privilegesFromText('basic,net_privaddr,none').privileges, []);
    assert.deepEqual(privilegesFromText('basic,none,net_privaddr').privileges, ['net_privaddr']);
    assert.deepEqual(privilegesFromText('net_privaddr,-net_privaddr,net_rawaccess').privileges, [
      'net_rawaccess',
    ]);
    assert.deepEqual(privilegesFromText('-net_privaddr,net_privaddr').privileges, ['net_privaddr']);
  });
  test('-x and !x remove, +x adds', () => {
    const r = privilegesFromText('basic,!proc_info,-file_link_any,+net_privaddr');
    assert.ok(!r.privileges.includes('proc_info'));
    assert.ok(!r.privileges.includes('file_link_any'));
    assert.ok(r.privileges.includes('net_privaddr'));
    assert.ok(r.privileges.includes('proc_fork'));
    assert.deepEqual(privilegesFromText('!net_privaddr').privileges, []); // removing an absent one is fine
  });
  test('names are case-insensitive with an optional priv_ prefix (any case), once', () => {
    for (const t of [
      'NET_PRIVADDR',
      'priv_net_privaddr',
      'PRIV_Net_PrivAddr',
      '+priv_net_privaddr',
    ]) {
      assert.deepEqual(privilegesFromText(t).privileges, ['net_privaddr'], t);
    }
    assert.deepEqual(privilegesFromText('net_privaddr,!PRIV_NET_PRIVADDR').privileges, []);
    assert.ok(perr('priv_priv_net_privaddr'));
    assert.ok(perr('priv_'));
  });
  test('BASIC, All, ZONE, None are case-insensitive', () => {
    assert.equal(privilegesFromText('BASIC').privileges.length, SOLARIS_BASIC.length);
    assert.equal(privilegesFromText('All').privileges.length, SOLARIS_PRIVILEGES.length);
    assert.equal(privilegesFromText('ZONE').privileges.length, SOLARIS_PRIVILEGES.length);
    assert.deepEqual(privilegesFromText('all,None').privileges, []);
  });
  test('all minus some', () => {
    const r = privilegesFromText('all,!sys_admin,!sys_mount');
    assert.equal(r.privileges.length, SOLARIS_PRIVILEGES.length - 2);
    assert.equal(r.linuxCaps & bits('cap_sys_admin'), 0n);
    assert.notEqual(r.linuxCaps & bits('cap_net_bind_service'), 0n);
  });
  test('!basic, -basic, +basic, priv_basic, !all, -none, !zone are errors', () => {
    for (const t of [
      '!basic',
      '-basic',
      '+basic',
      'priv_basic',
      '!all',
      '-none',
      '!zone',
      'net_privaddr,!basic',
    ]) {
      const e = perr(t);
      assert.match(e.message, /can only stand alone/, t);
    }
    assert.equal(perr('net_privaddr,!basic').column, 14);
  });
  test('unknown names are errors with a did-you-mean and a column', () => {
    const e = perr('basic,net_privadr');
    assert.equal(
      e.message,
      'unknown privilege "net_privadr" at column 7; did you mean "net_privaddr"?',
    );
    assert.equal(e.token, 'net_privadr');
    assert.equal(e.suggestion, 'net_privaddr');
    assert.ok(e instanceof SecwrapError);
    assert.equal(e.exitCode, 125);
    assert.equal(perr('!proc_setuid').suggestion, 'proc_setid');
    assert.equal(perr('qqqqqqqqqqqq').suggestion, undefined);
    assert.ok(perr('-'));
    assert.ok(perr('!'));
    assert.ok(perr('--net_privaddr'));
    assert.ok(perr('cap_net_bind_service'));
  });
  test('separators: commas and whitespace, repeated or mixed; empty tokens vanish', () => {
    assert.deepEqual(
      privilegesFromText(' basic ,\tnet_privaddr\n,,proc_chroot ').privileges.length,
      SOLARIS_BASIC.length + 2,
    );
    assert.deepEqual(privilegesFromText('net_privaddr net_rawaccess').privileges, [
      'net_privaddr',
      'net_rawaccess',
    ]);
  });
  test("the privilege list is illumos's (85) plus four Solaris 11 / older illumos names", () => {
    assert.equal(SOLARIS_PRIVILEGES.length, 89);
    for (const p of [
      'contract_event',
      'cpc_cpu',
      'dtrace_kernel',
      'graphics_map',
      'virt_manage',
      'win_dga',
      'xvm_control',
      'proc_secflags',
      'sys_share',
      'sys_flow_config',
    ]) {
      assert.ok(SOLARIS_PRIVILEGES.includes(p), p);
    }
    assert.deepEqual([...SOLARIS_PRIVILEGES].sort(), [...SOLARIS_PRIVILEGES]);
    for (const p of SOLARIS_TO_LINUX.keys())
      assert.ok(SOLARIS_PRIVILEGES.includes(p), `mapping key ${p}`);
    for (const caps of SOLARIS_TO_LINUX.values())
      for (const c of caps) assert.notEqual(capNumber(c), undefined, c);
  });
});

describe('privilegesFromText: Linux mapping', () => {
  const MOMENTUM: [string, string[]][] = [
    ['net_privaddr', ['cap_net_bind_service']],
    ['net_rawaccess', ['cap_net_raw']],
    ['sys_net_config', ['cap_net_admin']],
    ['sys_resource', ['cap_sys_resource']],
    ['proc_setid', ['cap_setuid', 'cap_setgid']],
    ['proc_chroot', ['cap_sys_chroot']],
    ['file_dac_read', ['cap_dac_read_search']],
    ['file_dac_write', ['cap_dac_override']],
    ['file_owner', ['cap_fowner']],
    ['file_chown', ['cap_chown']],
    ['proc_lock_memory', ['cap_ipc_lock']],
    ['sys_time', ['cap_sys_time']],
    ['sys_admin', ['cap_sys_admin']],
    ['sys_mount', ['cap_sys_admin']],
  ];
  for (const [priv, caps] of MOMENTUM) {
    test(`${priv} -> ${caps.join('+')}`, () => {
      const r = privilegesFromText(priv);
      assert.equal(r.linuxCaps, bits(...caps));
      assert.deepEqual(r.unmapped, []);
      assert.equal(
        r.linuxText,
        [...caps].sort((a, b) => (capNumber(a) ?? 0) - (capNumber(b) ?? 0)).join(','),
      );
    });
  }
  test('proc_setid text is in cap number order', () => {
    assert.equal(privilegesFromText('proc_setid').linuxText, 'cap_setgid,cap_setuid');
  });
  test('net_bindmlp maps to nothing and is reported unmapped', () => {
    const r = privilegesFromText('net_bindmlp');
    assert.equal(r.linuxCaps, 0n);
    assert.equal(r.linuxText, 'none');
    assert.deepEqual(r.unmapped, ['net_bindmlp']);
  });
  test('every basic privilege maps to nothing and is not unmapped', () => {
    for (const b of SOLARIS_BASIC) {
      const r = privilegesFromText(b);
      assert.equal(r.linuxCaps, 0n, b);
      assert.deepEqual(r.unmapped, [], b);
    }
  });
  test('conservative choices: broad Linux equivalents are left unmapped', () => {
    for (const p of [
      'proc_owner',
      'file_dac_execute',
      'file_chown_self',
      'ipc_owner',
      'net_icmpaccess',
      'sys_config',
      'sys_devices',
      'dtrace_kernel',
      'proc_zone',
    ]) {
      const r = privilegesFromText(p);
      assert.equal(r.linuxCaps, 0n, p);
      assert.deepEqual(r.unmapped, [p]);
    }
  });
  test('decided 1:1 mappings', () => {
    const cases: [string, string][] = [
      ['file_setid', 'cap_fsetid'],
      ['file_flag_set', 'cap_linux_immutable'],
      ['file_dac_search', 'cap_dac_read_search'],
      ['ipc_dac_read', 'cap_ipc_owner'],
      ['ipc_dac_write', 'cap_ipc_owner'],
      ['proc_audit', 'cap_audit_write'],
      ['sys_audit', 'cap_audit_control'],
      ['sys_acct', 'cap_sys_pacct'],
      ['proc_priocntl', 'cap_sys_nice'],
      ['proc_prioup', 'cap_sys_nice'],
      ['cpc_cpu', 'cap_perfmon'],
      ['sys_ip_config', 'cap_net_admin'],
      ['sys_dl_config', 'cap_net_admin'],
    ];
    for (const [p, c] of cases) assert.equal(privilegesFromText(p).linuxCaps, bits(c), p);
  });
  test('a Momentum-style line: basic plus bind and raw, minus proc_info', () => {
    const r = privilegesFromText('basic,net_privaddr,net_rawaccess,!proc_info,net_bindmlp');
    assert.equal(r.linuxCaps, bits('cap_net_bind_service', 'cap_net_raw'));
    assert.equal(r.linuxText, 'cap_net_bind_service,cap_net_raw');
    assert.deepEqual(r.unmapped, ['net_bindmlp']);
    assert.ok(!r.privileges.includes('proc_info'));
    assert.equal(r.privileges.length, SOLARIS_BASIC.length - 1 + 3);
  });
});
