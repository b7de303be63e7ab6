import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  checkJson,
  documentFromText,
  loadConfig,
  loadSecurity,
  securityScope,
  type SecurityScope,
} from '../../../src/config/index.js';
import { editDistance, suggestOption } from '../../../src/config/security.js';
import { assertConfigError, fixture, tmpDir, writeTree } from './helpers.js';

const F = 'ecelerity.conf';
const sec = (src: string, validate = true): SecurityScope =>
  securityScope(documentFromText(src, F), validate ? {} : { validate: false });

describe('the seed examples', () => {
  it('stand-alone security scope', () => {
    const p = fixture('security', 'standalone.conf');
    const s = loadSecurity(p);
    assert.deepEqual(s.settings, {
      user: 'ecuser',
      group: 'ecuser',
      supplemental_groups: ['ecmail', '4243'],
      chroot: '/var/jail',
      capabilities: 'cap_net_bind_service+ep',
      privileges: 'basic net_privaddr',
    });
    assert.deepEqual(checkJson(s), {
      security: {
        user: 'ecuser',
        group: 'ecuser',
        supplemental_groups: ['ecmail', '4243'],
        chroot: '/var/jail',
        capabilities: 'cap_net_bind_service+ep',
        privileges: 'basic net_privaddr',
      },
      sources: {
        user: `${p}:3`,
        group: `${p}:4`,
        supplemental_groups: `${p}:8`,
        chroot: `${p}:7`,
        capabilities: `${p}:5`,
        privileges: `${p}:6`,
      },
    });
    assert.deepEqual(s.sources.supplemental_groups, { file: p, line: 8, col: 25 });
  });
  it('cluster Security stanza on one line', () => {
    const p = fixture('security', 'cluster.conf');
    const j = checkJson(loadSecurity(p));
    assert.deepEqual(j.security, {
      user: 'ecuser',
      group: 'ecuser',
      capabilities: 'cap_net_admin+ep cap_net_bind_service+ep cap_net_raw+ep cap_sys_resource+ep',
      privileges: 'basic net_privaddr net_rawaccess sys_net_config sys_resource',
    });
    assert.deepEqual(Object.values(j.sources), [`${p}:1`, `${p}:1`, `${p}:1`, `${p}:1`]);
    assert.equal('chroot' in j.security, false);
    assert.equal('supplemental_groups' in j.sources, false);
  });
  it('ecelerity-cluster.conf included after the main stanza overrides it; sources point at the winner', () => {
    const main = fixture('cluster-override', 'ecelerity.conf');
    const cl = fixture('cluster-override', 'ecelerity-cluster.conf');
    const j = checkJson(loadSecurity(main));
    assert.deepEqual(j, {
      security: {
        user: 'ecuser',
        group: 'ecuser',
        supplemental_groups: ['ecmail', '4243'],
        chroot: '/var/jail',
        capabilities: 'cap_net_admin+ep cap_net_bind_service+ep cap_net_raw+ep cap_sys_resource+ep',
        privileges: 'basic net_privaddr net_rawaccess sys_net_config sys_resource',
      },
      sources: {
        user: `${cl}:7`,
        group: `${cl}:8`,
        supplemental_groups: `${main}:10`,
        chroot: `${main}:7`,
        capabilities: `${cl}:9`,
        privileges: `${cl}:10`,
      },
    });
    // without includes only the main stanza counts
    const own = checkJson(loadSecurity(main, { followIncludes: false }));
    assert.equal(own.security.capabilities, 'cap_net_bind_service+ep');
    assert.equal(own.sources.capabilities, `${main}:8`);
  });
  it('the documented supplemental_groups example (mixed case names)', () => {
    const s = loadSecurity(fixture('security', 'ref-supplemental-groups.conf'));
    assert.deepEqual(s.settings, {
      supplemental_groups: ['mail', '4243'],
      capabilities: 'cap_net_bind_service+ep',
      privileges: 'basic net_privaddr',
    });
  });
});

describe('merging and names', () => {
  it('option names are case-insensitive; later value wins per option across stanzas', () => {
    const s = sec(
      'Security { USER = a Supplemental_Groups = ( x ) }\nsecurity { user = b }\nSECURITY { Chroot = "/j" }',
    );
    assert.deepEqual(s.settings, { user: 'b', supplemental_groups: ['x'], chroot: '/j' });
    assert.deepEqual(s.sources.user, { file: F, line: 2, col: 19 });
  });
  it('a later stanza in an include overrides an earlier one, an earlier include is overridden by the main file', () => {
    const { dir, cleanup } = tmpDir();
    try {
      writeTree(dir, {
        'main.conf': 'include "early.conf"\nsecurity { user = main }\ninclude "late.conf"\n',
        'early.conf': 'security { user = early group = early }\n',
        'late.conf': 'security { capabilities = "" }\n',
      });
      const j = checkJson(loadSecurity(join(dir, 'main.conf')));
      assert.deepEqual(j.security, { user: 'main', group: 'early', capabilities: '' });
      assert.deepEqual(j.sources, {
        user: `${join(dir, 'main.conf')}:2`,
        group: `${join(dir, 'early.conf')}:1`,
        capabilities: `${join(dir, 'late.conf')}:1`,
      });
    } finally {
      cleanup();
    }
  });
  it('security written as Security = { ... } and values quoted or bare', () => {
    assert.deepEqual(sec('Security = {\n  user = \'ecuser\'\n  group = "ecuser"\n}').settings, {
      user: 'ecuser',
      group: 'ecuser',
    });
  });
  it('no security scope: empty settings and sources', () => {
    const s = sec('a = 1');
    assert.deepEqual(s, { settings: {}, sources: {} });
    assert.deepEqual(checkJson(s), { security: {}, sources: {} });
  });
  it('an empty list clears supplemental groups', () => {
    assert.deepEqual(sec('security { supplemental_groups = () }').settings, {
      supplemental_groups: [],
    });
  });
  it('checkJson returns copies, in canonical order', () => {
    const s = sec('security { privileges = p supplemental_groups = (a) user = u }');
    const j = checkJson(s);
    assert.deepEqual(Object.keys(j.security), ['user', 'supplemental_groups', 'privileges']);
    (j.security.supplemental_groups as string[]).push('z');
    assert.deepEqual(s.settings.supplemental_groups, ['a']);
  });
});

describe('security errors', () => {
  const cases: [string, string, number, number, string | RegExp][] = [
    [
      'typo with hint',
      'security {\n  capabilites = "x"\n}',
      2,
      3,
      'unknown option "capabilites" in security scope; did you mean "capabilities"?',
    ],
    [
      'typo keeps case, hint is canonical',
      'security { Supplemental_Group = (a) }',
      1,
      12,
      'unknown option "Supplemental_Group" in security scope; did you mean "supplemental_groups"?',
    ],
    ['transposition', 'security { usre = x }', 1, 12, 'did you mean "user"?'],
    [
      'unknown, no hint',
      'security { spool_base = "/x" }',
      1,
      12,
      'unknown option "spool_base" in security scope; valid options are user, group, supplemental_groups, chroot, capabilities, privileges',
    ],
    [
      'nested scope in security',
      'security { user = a\n  Domain x { } }',
      2,
      3,
      'scope "Domain" is not allowed inside the security scope',
    ],
    [
      'security nested in another scope',
      'ESMTP_Listener { Listen ":25" {\n  Security { user = a } } }',
      2,
      3,
      'the security scope is only valid at the global level, not inside "Listen"',
    ],
    [
      'instance name',
      'security foo {\n user = a }',
      1,
      1,
      'the security scope takes no instance name (found "foo")',
    ],
    ['quoted instance name', 'Security "x" { }', 1, 1, 'takes no instance name'],
    ['security as an option', 'a = 1\nSecurity = ecuser', 2, 1, '"Security" must be a scope'],
    [
      'user as list',
      'security { user = ( a ) }',
      1,
      19,
      'user must be a single value (a word or a quoted string), not a list',
    ],
    [
      'group as hash',
      'security { group [ a = b ] }',
      1,
      18,
      'group must be a single value (a word or a quoted string), not a hash',
    ],
    ['empty user', 'security { user = "" }', 1, 19, 'user must not be empty'],
    ['empty group', "security { group = '' }", 1, 20, 'group must not be empty'],
    [
      'relative chroot',
      'security { chroot = var/jail }',
      1,
      21,
      'chroot must be an absolute path, got "var/jail"',
    ],
    ['empty chroot', 'security { chroot = "" }', 1, 21, 'chroot must not be empty'],
    [
      'capabilities as list',
      'security { capabilities = ( a b ) }',
      1,
      27,
      'capabilities must be a single value',
    ],
    [
      'privileges as list',
      'security { privileges = () }',
      1,
      25,
      'privileges must be a single value',
    ],
    [
      'supplemental_groups as scalar',
      'security {\n supplemental_groups = ecmail }',
      2,
      24,
      'supplemental_groups must be a list such as ( ecmail 4243 ), not a single value',
    ],
    [
      'supplemental_groups nested list',
      'security { supplemental_groups = ( a ( b ) ) }',
      1,
      38,
      'supplemental_groups items must be group names or ids',
    ],
    [
      'supplemental_groups empty item',
      'security { supplemental_groups = ( a "" ) }',
      1,
      38,
      'supplemental_groups items must not be empty',
    ],
    [
      'NUL in a value',
      'security { user = "a\u0000b" }',
      1,
      19,
      'user must not contain a NUL character',
    ],
    [
      'bad value hidden by a later good one',
      'security { user = ( a ) }\nsecurity { user = b }',
      1,
      19,
      'user must be a single value',
    ],
  ];
  for (const [name, src, line, col, detail] of cases) {
    it(name, () => {
      assertConfigError(() => sec(src), { file: F, line, col }, detail);
    });
  }
  it('security nested via the fixture file', () => {
    const p = fixture('nested-security', 'ecelerity.conf');
    assertConfigError(
      () => loadSecurity(p),
      { file: p, line: 2, col: 3 },
      'only valid at the global level, not inside "ESMTP_Listener"',
    );
  });
  it('errors inside an included security stanza name the included file', () => {
    const { dir, cleanup } = tmpDir();
    try {
      writeTree(dir, {
        'main.conf': 'security { user = a }\ninclude "ecelerity-cluster.conf"\n',
        'ecelerity-cluster.conf': '\nSecurity {\n  capabilites = "cap_net_admin+ep"\n}\n',
      });
      assertConfigError(
        () => loadSecurity(join(dir, 'main.conf')),
        { file: join(dir, 'ecelerity-cluster.conf'), line: 3, col: 3 },
        'did you mean "capabilities"?',
      );
    } finally {
      cleanup();
    }
  });
});

describe('validate: false (--syntax-only)', () => {
  it('skips security validation and returns what has the right shape', () => {
    const src =
      'security { user = ( a ) group = g chroot = rel capabilites = x supplemental_groups = ( a (b) c ) }\nX { security { user = z } }';
    assert.throws(() => sec(src));
    const s = sec(src, false);
    assert.deepEqual(s.settings, { group: 'g', chroot: 'rel', supplemental_groups: ['a', 'c'] });
    assert.equal(s.sources.user, undefined);
  });
  it('loadSecurity passes validate through; syntax errors are still errors', () => {
    const { dir, cleanup } = tmpDir();
    try {
      writeTree(dir, {
        'bad.conf': 'security { capabilites = x }\n',
        'syntax.conf': 'security { user = "x }\n',
      });
      assert.deepEqual(loadSecurity(join(dir, 'bad.conf'), { validate: false }).settings, {});
      assert.throws(() => loadSecurity(join(dir, 'bad.conf')), /did you mean/);
      assertConfigError(
        () => loadSecurity(join(dir, 'syntax.conf'), { validate: false, followIncludes: false }),
        { line: 1, col: 19 },
        'unterminated string',
      );
      // loadConfig never validates the security scope by itself
      assert.equal(loadConfig(join(dir, 'bad.conf')).files.length, 1);
    } finally {
      cleanup();
    }
  });
});

describe('did-you-mean', () => {
  it('edit distance (optimal string alignment)', () => {
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('abc', 'abc'), 0);
    assert.equal(editDistance('capabilites', 'capabilities'), 1);
    assert.equal(editDistance('usre', 'user'), 1);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });
  it('suggests only plausible typos', () => {
    assert.equal(suggestOption('CAPABILITES'), 'capabilities');
    assert.equal(suggestOption('previleges'), 'privileges');
    assert.equal(suggestOption('chrot'), 'chroot');
    assert.equal(suggestOption('grp'), undefined);
    assert.equal(suggestOption('users'), 'user');
    assert.equal(suggestOption('spool_base'), undefined);
    assert.equal(suggestOption('x'.repeat(10_000)), undefined);
  });
});
