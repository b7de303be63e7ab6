/**
 * Solaris/illumos privilege specifications (`privileges` in ecelerity.conf's security scope),
 * parsed as illumos libc's `priv_str_to_set` does, then mapped onto Linux capabilities.
 *
 * priv_str_to_set (usr/src/lib/libc/port/gen/priv_str_xlate.c): the string is split with
 * strtok_r on the caller's separators (empty tokens vanish); tokens apply left to right to a
 * set that starts empty:
 *   basic  - add the basic set          all  - every privilege
 *   zone   - add the zone's set         none - empty the set
 *   (these four are matched whole and case-insensitively; `!basic`, `-all`, `priv_basic`
 *   are looked up as privilege names and so are errors)
 *   [+|-|!]name - add (none or '+') or remove ('-' or '!') one privilege; `name` is matched
 *   case-insensitively, after dropping one leading `priv_` (any case).
 * Any unknown name makes the whole string invalid (EINVAL, endptr at the token).
 *
 * Here the separators are ',' and whitespace (illumos callers pass ","; accepting blanks as
 * well lets a config value be written `basic, net_privaddr`). `zone` is the global zone's set,
 * i.e. the same as `all`.
 */
import { SecwrapError, quoteInput } from '../errors.js';
import { CAP_NAMES, capName } from './table.js';
import { closestName } from './text.js';

/** The privilege tables, built the first time a `privileges` text is read (not at every start). */
export interface SolarisTables {
  /** Every privilege name, sorted. */
  readonly privileges: readonly string[];
  /** The basic set. */
  readonly basic: readonly string[];
  /** Privilege -> Linux capabilities (the kinds of entries: in buildTables). */
  readonly toLinux: ReadonlyMap<string, readonly string[]>;
  /** `privileges` as a set, for lookups. */
  readonly index: ReadonlySet<string>;
}

let tables: SolarisTables | undefined;

export function solarisTables(): SolarisTables {
  tables ??= buildTables();
  return tables;
}

function buildTables(): SolarisTables {
  /**
   * Every privilege name known to illumos (sys/priv_const.h, 85 privileges) plus those only
   * Oracle Solaris 11 (sys_flow_config, sys_share) or older illumos / SmartOS
   * (sys_fs_import, hyprlofs_control) define, so that no real configuration is refused.
   */
  const privileges: readonly string[] = Object.freeze([
    'contract_event',
    'contract_identity',
    'contract_observer',
    'cpc_cpu',
    'dtrace_kernel',
    'dtrace_proc',
    'dtrace_user',
    'file_chown',
    'file_chown_self',
    'file_dac_execute',
    'file_dac_read',
    'file_dac_search',
    'file_dac_write',
    'file_downgrade_sl',
    'file_flag_set',
    'file_link_any',
    'file_owner',
    'file_read',
    'file_setid',
    'file_upgrade_sl',
    'file_write',
    'graphics_access',
    'graphics_map',
    'hyprlofs_control',
    'ipc_dac_read',
    'ipc_dac_write',
    'ipc_owner',
    'net_access',
    'net_bindmlp',
    'net_icmpaccess',
    'net_mac_aware',
    'net_mac_implicit',
    'net_observability',
    'net_privaddr',
    'net_rawaccess',
    'proc_audit',
    'proc_chroot',
    'proc_clock_highres',
    'proc_exec',
    'proc_fork',
    'proc_info',
    'proc_lock_memory',
    'proc_meminfo',
    'proc_owner',
    'proc_priocntl',
    'proc_prioup',
    'proc_secflags',
    'proc_session',
    'proc_setid',
    'proc_taskid',
    'proc_zone',
    'sys_acct',
    'sys_admin',
    'sys_audit',
    'sys_config',
    'sys_devices',
    'sys_dl_config',
    'sys_flow_config',
    'sys_fs_import',
    'sys_ip_config',
    'sys_ipc_config',
    'sys_iptun_config',
    'sys_linkdir',
    'sys_mount',
    'sys_net_config',
    'sys_nfs',
    'sys_ppp_config',
    'sys_res_bind',
    'sys_res_config',
    'sys_resource',
    'sys_share',
    'sys_smb',
    'sys_suser_compat',
    'sys_time',
    'sys_trans_label',
    'virt_manage',
    'win_colormap',
    'win_config',
    'win_dac_read',
    'win_dac_write',
    'win_devices',
    'win_dga',
    'win_downgrade_sl',
    'win_fontpath',
    'win_mac_read',
    'win_mac_write',
    'win_selection',
    'win_upgrade_sl',
    'xvm_control',
  ]);

  /**
   * The basic set: every unprivileged process has these. illumos (PRIV_BASIC_ASSERT in
   * sys/priv_const.h) includes proc_secflags since security-flags were added; Solaris 10/11
   * have the other eight only.
   */
  const basic: readonly string[] = Object.freeze([
    'file_link_any',
    'file_read',
    'file_write',
    'net_access',
    'proc_exec',
    'proc_fork',
    'proc_info',
    'proc_secflags',
    'proc_session',
  ]);

  /**
   * Privilege -> Linux capabilities. Three kinds of entries:
   *  - a non-empty list: the Linux capabilities that grant the same operations (the first
   *    fourteen rows are the mapping Momentum's paired Linux examples use);
   *  - an empty list: Linux needs no capability for it (the basic privileges; high-resolution
   *    timers);
   *  - absent: no Linux equivalent, or only a much broader capability (cap_sys_admin,
   *    cap_dac_override, ...). Conservative choice: such privileges are NOT mapped and are
   *    reported in `unmapped` so the caller can warn or refuse; an operator who wants the
   *    broader capability must ask for it in Linux terms.
   */
  const toLinux: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
    // Momentum's mapping.
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
    // Decided here: the Linux capability is the one Linux checks for the same operation.
    ['file_dac_search', ['cap_dac_read_search']], // Linux has no search-only override
    ['file_setid', ['cap_fsetid']],
    ['file_flag_set', ['cap_linux_immutable']], // immutable / append-only attributes
    ['ipc_dac_read', ['cap_ipc_owner']], // cap_ipc_owner = SysV IPC permission override
    ['ipc_dac_write', ['cap_ipc_owner']],
    ['proc_audit', ['cap_audit_write']],
    ['sys_audit', ['cap_audit_control']],
    ['sys_acct', ['cap_sys_pacct']],
    ['proc_priocntl', ['cap_sys_nice']],
    ['proc_prioup', ['cap_sys_nice']],
    ['cpc_cpu', ['cap_perfmon']],
    ['sys_ip_config', ['cap_net_admin']], // parts of sys_net_config
    ['sys_dl_config', ['cap_net_admin']],
    ['sys_iptun_config', ['cap_net_admin']],
    ['sys_ppp_config', ['cap_net_admin']],
    ['sys_flow_config', ['cap_net_admin']],
    // Linux needs no capability.
    ...basic.map((b): [string, readonly string[]] => [b, []]),
    ['proc_clock_highres', []],
    // Deliberately absent (-> unmapped): net_bindmlp (Trusted Extensions MLPs, no Linux
    // equivalent), proc_owner (signals + ptrace + more: cap_kill and cap_sys_ptrace are each
    // only part of it, together more), file_dac_execute (Linux: cap_dac_override, which also
    // grants write), file_chown_self (Linux: cap_chown, any file), ipc_owner (Linux:
    // cap_sys_admin), net_icmpaccess / net_observability (cap_net_raw: all raw sockets),
    // sys_config / sys_devices / sys_ipc_config / proc_meminfo (cap_sys_admin / cap_sys_rawio),
    // and everything for zones, contracts, DTrace, Trusted Extensions labels, X windows,
    // graphics, NFS/SMB/sharefs, virtualisation, processor sets, task ids, sys_linkdir,
    // sys_suser_compat.
  ]);
  return { privileges, basic, toLinux, index: new Set(privileges) };
}

/** An invalid `privileges` specification. */
export class PrivilegesError extends SecwrapError {
  override readonly name: string = 'PrivilegesError';
  constructor(
    readonly text: string,
    /** The offending token. */
    readonly token: string,
    /** 1-based column of the token in `text` (code points). */
    readonly column: number,
    readonly reason: string,
    readonly suggestion?: string,
  ) {
    super(
      `${reason} at column ${column}` +
        (suggestion === undefined ? '' : `; did you mean ${JSON.stringify(suggestion)}?`),
    );
  }
}

export interface PrivilegesResult {
  /** The resulting privilege set, sorted, without the `priv_` prefix. */
  readonly privileges: string[];
  /** Union of the Linux capabilities the privileges map to. */
  readonly linuxCaps: bigint;
  /** Those capabilities as a comma-separated cap list in number order, or "none". */
  readonly linuxText: string;
  /** Privileges in the set that have no Linux mapping (see solarisTables().toLinux), sorted. */
  readonly unmapped: string[];
}

const SEPARATORS = /[, \t\n\v\f\r]/;

/** The privilege a name denotes (case-insensitive, one optional `priv_` prefix), or undefined. */
export function privilegeByName(name: string): string | undefined {
  let n = name.toLowerCase();
  if (n.startsWith('priv_')) n = n.slice(5);
  return solarisTables().index.has(n) ? n : undefined;
}

/** illumos `priv_str_to_set`, then the Linux mapping. Throws PrivilegesError. */
export function privilegesFromText(text: string): PrivilegesResult {
  const { privileges: all, basic, toLinux } = solarisTables();
  const set = new Set<string>();
  const chars = [...text];
  let i = 0;
  while (i < chars.length) {
    while (i < chars.length && SEPARATORS.test(chars[i] as string)) i++;
    if (i >= chars.length) break;
    const start = i;
    while (i < chars.length && !SEPARATORS.test(chars[i] as string)) i++;
    const token = chars.slice(start, i).join('');
    const lower = token.toLowerCase();
    if (lower === 'basic') {
      for (const b of basic) set.add(b);
    } else if (lower === 'none') {
      set.clear();
    } else if (lower === 'all' || lower === 'zone') {
      for (const p of all) set.add(p);
    } else {
      const neg = token.startsWith('-') || token.startsWith('!');
      const name = neg || token.startsWith('+') ? token.slice(1) : token;
      const priv = privilegeByName(name);
      if (priv === undefined) {
        const bare = name.toLowerCase().replace(/^priv_/, '');
        const special = ['basic', 'all', 'zone', 'none'].includes(bare);
        const reason = special
          ? `${quoteInput(token)}: "${bare}" can only stand alone, without "priv_", "+", "-" or "!"`
          : `unknown privilege ${quoteInput(token)}`;
        throw new PrivilegesError(
          text,
          token,
          start + 1,
          reason,
          special ? undefined : closestName(bare, all),
        );
      }
      if (neg) set.delete(priv);
      else set.add(priv);
    }
  }
  const privileges = [...set].sort();
  let linuxCaps = 0n;
  const unmapped: string[] = [];
  for (const p of privileges) {
    const caps = toLinux.get(p);
    if (caps === undefined) {
      unmapped.push(p);
      continue;
    }
    for (const c of caps) linuxCaps |= 1n << BigInt(CAP_NAMES.indexOf(c));
  }
  const names: string[] = [];
  for (let n = 0; n < 64; n++) if (linuxCaps & (1n << BigInt(n))) names.push(capName(n));
  return {
    privileges,
    linuxCaps,
    linuxText: names.length > 0 ? names.join(',') : 'none',
    unmapped,
  };
}
