/**
 * Generates a realistic ~N-byte configuration spread over include files, for the parse
 * throughput benchmark (`loadConfig` on the returned path).
 *
 * Layout written into `dir`:
 *   ecelerity.conf          global options, a security stanza, `include "conf.d"`,
 *                           `include "ecelerity-cluster.conf"`
 *   conf.d/NNN-part.conf    ~256 KiB each, domains/bindings/listeners with nested scopes,
 *                           arrays, hashes, strings with escapes, comments; every 4th one also
 *                           includes a small file from inc/
 *   inc/NNN-extra.conf      small included files
 *   ecelerity-cluster.conf  a Security stanza overriding capabilities/privileges
 * Deterministic (fixed seed).
 */
import * as fs from 'node:fs';
import { join } from 'node:path';

const PART_BYTES = 256 * 1024;

class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    // xorshift32
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  int(n: number): number {
    return this.next() % n;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)]!;
  }
}

const WORDS = [
  'alpha',
  'bravo',
  'charlie',
  'delta',
  'echo',
  'foxtrot',
  'golf',
  'hotel',
  'india',
  'juliet',
];
const TLDS = ['com', 'net', 'org', 'co.uk', 'fr', 'de'];

function domainBlock(r: Rng, n: number): string {
  const d = `${r.pick(WORDS)}${n}.${r.pick(TLDS)}`;
  const lines = [
    `# outbound policy for ${d}`,
    `Domain ${d} {`,
    `  Outbound_Throttle_Messages = "${r.int(100)}/${1 + r.int(60)}"`,
    `  Max_Outbound_Connections = ${r.int(200)}`,
    `  MX_Rollup = ${r.pick(['true', 'false', '"on"', 'off'])}`,
    `  Retry_Interval = ${r.int(3600)} /* seconds */`,
    `  Bounce_Pattern = "^bounces-\\d+-\\d+@${r.pick(WORDS)}\\.${r.pick(TLDS)}$"`,
    `  Relay_Hosts = ( 127.0.0.0/8 "10.${r.int(255)}.0.0/16", 192.168.${r.int(255)}.0/24 )`,
    `  Banner = "220-Welcome to ${d}!\\r\\n"`,
    `  AuthDigestMD5Parameters = [ uri = "digest:///opt/msys/ecelerity/etc/md5/${n}" realm = ${d} ]`,
    `  Listen ":${1000 + r.int(60000)}" {`,
    `    Peer "10.${r.int(255)}.${r.int(255)}.0/24" {  # trusted`,
    `      Idle_Timeout = ${r.int(600)}`,
    `      Enable = ${r.pick(['on', 'off'])}`,
    `    }`,
    `  }`,
    `}`,
    '',
  ];
  return lines.join('\n');
}

function bindingBlock(r: Rng, n: number): string {
  return [
    `binding "customer-${n}" {`,
    `  Bind_Address = 10.${r.int(255)}.${r.int(255)}.${r.int(255)}`,
    `  Gateway = 10.10.10.50`,
    `  headerlist = ("from", "to", "subject", "date")`,
    `  SMTP_Extensions = (XREMOTEIP XDUMPCONTEXT XCLIENT XSETCONTEXT)`,
    `  bits [ 0.0.0.1 = "list1_hits" 99 = "profanity" "0" = "250 ok" ]`,
    `  note = 'single \\'quoted\\' value'`,
    `  query = "SELECT id, name`,
    `    FROM users WHERE id = ?"`,
    `}`,
    `binding_group "group${n % 17}" {`,
    `  binding = "customer-${n}"`,
    `}`,
    '',
  ].join('\n');
}

function part(r: Rng, start: number, target: number): { text: string; next: number } {
  const chunks: string[] = [];
  let size = 0;
  let n = start;
  while (size < target) {
    const c = r.int(3) === 0 ? bindingBlock(r, n) : domainBlock(r, n);
    chunks.push(c);
    size += Buffer.byteLength(c);
    n++;
  }
  return { text: chunks.join(''), next: n };
}

/**
 * Writes a ~`bytes`-byte config spread over include files into `dir` (created if needed) and
 * returns the path of the main file.
 */
export function generateBenchConfig(dir: string, bytes: number): string {
  const r = new Rng(0x5eca11);
  fs.mkdirSync(join(dir, 'conf.d'), { recursive: true });
  fs.mkdirSync(join(dir, 'inc'), { recursive: true });
  const main = [
    '# ecelerity.conf (generated for the secwrap parse benchmark)',
    'Spool_Base = "/var/spool/ecelerity"',
    'Keep_Message_Dicts_In_Memory = true',
    'security {',
    '  user = ecuser',
    '  group = ecuser',
    '  capabilities = "cap_net_bind_service+ep"',
    '  privileges = "basic net_privaddr"',
    '  chroot = "/var/jail"',
    '  supplemental_groups = ( ecmail 4243 )',
    '}',
    'ESMTP_Listener {',
    '  Listen ":25" {',
    '    Peer "0.0.0.0/0" { Relay_Hosts = ( "127.0.0.0/8" 0.0.0.0 ) }',
    '  }',
    '}',
    'include "conf.d"',
    'include "ecelerity-cluster.conf"',
    '',
  ].join('\n');
  const cluster = [
    'Security {',
    '  user = ecuser',
    '  group = ecuser',
    '  capabilities = "cap_net_admin+ep cap_net_bind_service+ep cap_net_raw+ep cap_sys_resource+ep"',
    '  privileges = "basic net_privaddr net_rawaccess sys_net_config sys_resource"',
    '}',
    '',
  ].join('\n');
  fs.writeFileSync(join(dir, 'ecelerity.conf'), main);
  fs.writeFileSync(join(dir, 'ecelerity-cluster.conf'), cluster);
  let remaining = Math.max(0, bytes - main.length - cluster.length);
  let k = 0;
  let n = 0;
  while (remaining > 0) {
    const target = Math.min(PART_BYTES, remaining);
    const p = part(r, n, target);
    n = p.next;
    let text = p.text;
    if (k % 4 === 3) {
      const extra = `# extra ${k}\nthreadpool "pool${k}" { concurrency = ${1 + (k % 9)} }\n`;
      fs.writeFileSync(join(dir, 'inc', `${String(k).padStart(4, '0')}-extra.conf`), extra);
      text += `include "../inc/${String(k).padStart(4, '0')}-extra.conf"\n`;
      remaining -= extra.length;
    }
    fs.writeFileSync(join(dir, 'conf.d', `${String(k).padStart(4, '0')}-part.conf`), text);
    remaining -= Buffer.byteLength(text);
    k++;
  }
  return join(dir, 'ecelerity.conf');
}
