import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { dirname, join } from 'node:path';
import { generateBenchConfig } from '../../../bench/bench-gen.js';
import { checkJson, loadConfig, loadSecurity } from '../../../src/config/index.js';
import { tmpDir } from './helpers.js';

function treeBytes(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? treeBytes(p) : fs.statSync(p).size;
  }
  return n;
}

describe('generateBenchConfig', () => {
  it('writes about the requested size over several include files, all of it loadable', () => {
    const { dir, cleanup } = tmpDir();
    try {
      const main = generateBenchConfig(dir, 1_200_000);
      assert.equal(dirname(main), dir);
      const bytes = treeBytes(dir);
      assert.ok(bytes >= 1_200_000 && bytes < 1_300_000, `wrote ${bytes} bytes`);
      const doc = loadConfig(main);
      assert.ok(doc.files.length >= 6, `only ${doc.files.length} files`);
      const read = doc.files.reduce((n, f) => n + fs.statSync(f).size, 0);
      assert.equal(read, bytes, 'every generated file is read by loadConfig');
      assert.ok(doc.root.scopes.size > 1000);
      // the cluster stanza, included last, wins for capabilities
      const j = checkJson(loadSecurity(main));
      assert.equal(
        j.security.capabilities,
        'cap_net_admin+ep cap_net_bind_service+ep cap_net_raw+ep cap_sys_resource+ep',
      );
      assert.equal(j.security.chroot, '/var/jail');
      assert.ok(j.sources.capabilities?.startsWith(join(dir, 'ecelerity-cluster.conf')));
    } finally {
      cleanup();
    }
  });
  it('is deterministic', () => {
    const a = tmpDir();
    const b = tmpDir();
    try {
      generateBenchConfig(a.dir, 300_000);
      generateBenchConfig(b.dir, 300_000);
      const f = 'conf.d/0000-part.conf';
      assert.equal(
        fs.readFileSync(join(a.dir, f), 'utf8'),
        fs.readFileSync(join(b.dir, f), 'utf8'),
      );
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });
});
