/**
 * The request: what the caller asked for, from the config file's security scope and the flags,
 * before anything is looked up. Flags override the file option by option (and work without a
 * file). Conflicts are rejected here, before any side effect (as setpriv does).
 */
import { SecwrapError, formatPos, quoteInput } from '../errors.js';
import type { GlobalSetting, SecurityScope } from '../config/index.js';
import type { SpecIdentity } from '../identity/userspec.js';
import {
  parseLandlockAccess,
  parseLandlockRule,
  parsePdeathsig,
  parseRlimit,
  parseSecurebits,
  parseUmask,
  RLIMIT_NOFILE,
  type LandlockRuleSpec,
  type PdeathsigSpec,
  type RlimitSpec,
  type SecurebitsOp,
} from './specs.js';

/** `home`: only HOME is set (gosu and su-exec set nothing else). */
export type EnvMode = 'default' | 'keep' | 'reset' | 'home';

export interface Flags {
  config?: string;
  user?: string;
  group?: string;
  groups?: string; // comma-separated; '' = no supplementary groups
  chroot?: string;
  caps?: string;
  noNewPrivs?: boolean;
  preserveFds?: number;
  keepEnv?: boolean;
  resetEnv?: boolean;
  newSession?: boolean;
  verbose?: boolean;
  /** `NAME=SOFT[:HARD]`, repeatable (the last one per resource wins). */
  rlimit?: string[];
  umask?: string;
  securebits?: string;
  pdeathsig?: string;
  keepGroups?: boolean;
  clearGroups?: boolean;
  initGroups?: boolean;
  landlockAccess?: string[];
  landlockRule?: string[];
  apparmorProfile?: string;
  selinuxLabel?: string;
}

/** Momentum's global options that secwrap applies (src/config/globals.ts). */
export interface ConfigGlobals {
  serverMaxFileDescriptors: GlobalSetting<number> | null;
}

/** A limit asked for, with where it came from (`--rlimit` or the config's position). */
export type LimitRequest = RlimitSpec & { source: string };

export interface Request {
  configFile: string | null;
  user?: string;
  group?: string;
  groups?: string[];
  chroot?: string;
  caps?: string;
  privileges?: string;
  /** Where each setting came from: `file:line:col` or `--flag`. */
  sources: Record<string, string>;
  noNewPrivs: boolean;
  preserveFds: number;
  env: EnvMode;
  newSession: boolean;
  verbose: boolean;
  command: string[];
  /** Explicit limits, one per resource. */
  limits: LimitRequest[];
  /** A config run that sets no file-descriptor limit: Momentum's default applies. */
  nofileDefault: boolean;
  umask?: number;
  securebits?: SecurebitsOp[];
  pdeathsig?: PdeathsigSpec;
  /** setpriv's group modes; exclusive with each other and with an explicit list. */
  groupMode?: 'keep' | 'clear' | 'init';
  landlock?: { access: bigint | 'all'; rules: LandlockRuleSpec[] };
  lsmLabel?: { lsm: 'apparmor' | 'selinux'; label: string };
  /** gosu or su-exec mode: the identity their USER-SPEC resolved to, used as it is. */
  identity?: SpecIdentity;
}

/** Parse `-G a,b,c` ('' means none). */
export function parseGroupsFlag(v: string): string[] {
  if (v === '') return [];
  const parts = v.split(',');
  if (parts.some((p) => p === ''))
    throw new SecwrapError(`--groups ${quoteInput(v)}: empty entry in the list`);
  return parts;
}

/**
 * Momentum's documented defaults for the security scope: "The default value for both the `user`
 * and the `group` option is `ecuser`", and it always drops root before processing mail. A config
 * run (`-c`) therefore never keeps root by leaving `user` out: running as root takes an explicit
 * `user = root` (or `-u root`). Flags-only runs have no such default (setpriv's behaviour).
 */
export const MOMENTUM_DEFAULT_USER = 'ecuser';
export const MOMENTUM_DEFAULT_GROUP = 'ecuser';
/** The source recorded for a setting that came from Momentum's defaults. */
export const MOMENTUM_DEFAULT_SOURCE = "Momentum's default";

export function buildRequest(
  flags: Flags,
  scope: SecurityScope | null,
  command: string[],
  globals: ConfigGlobals | null = null,
): Request {
  if (flags.keepEnv && flags.resetEnv)
    throw new SecwrapError('--keep-env and --reset-env conflict: choose one');
  const pf = flags.preserveFds ?? 0;
  if (!Number.isInteger(pf) || pf < 0 || pf > 65536)
    throw new SecwrapError(
      `--preserve-fds ${String(flags.preserveFds)}: expected a whole number 0-65536`,
    );

  const req: Request = {
    configFile: flags.config ?? null,
    sources: {},
    noNewPrivs: flags.noNewPrivs ?? false,
    preserveFds: pf,
    env: flags.keepEnv ? 'keep' : flags.resetEnv ? 'reset' : 'default',
    newSession: flags.newSession ?? false,
    verbose: flags.verbose ?? false,
    command,
    limits: [],
    nofileDefault: false,
  };
  if (scope) {
    const s = scope.settings;
    const src = (k: keyof typeof s): string => {
      const p = scope.sources[k];
      return p ? formatPos(p) : (flags.config ?? 'config');
    };
    if (s.user !== undefined) [req.user, req.sources.user] = [s.user, src('user')];
    if (s.group !== undefined) [req.group, req.sources.group] = [s.group, src('group')];
    if (s.supplemental_groups !== undefined)
      [req.groups, req.sources.groups] = [[...s.supplemental_groups], src('supplemental_groups')];
    if (s.chroot !== undefined) [req.chroot, req.sources.chroot] = [s.chroot, src('chroot')];
    if (s.capabilities !== undefined)
      [req.caps, req.sources.caps] = [s.capabilities, src('capabilities')];
    if (s.privileges !== undefined)
      [req.privileges, req.sources.privileges] = [s.privileges, src('privileges')];
    req.user ??= MOMENTUM_DEFAULT_USER;
    req.sources.user ??= MOMENTUM_DEFAULT_SOURCE;
    req.group ??= MOMENTUM_DEFAULT_GROUP;
    req.sources.group ??= MOMENTUM_DEFAULT_SOURCE;
  }
  if (flags.user !== undefined) userFlag(req, flags);
  if (flags.group !== undefined) [req.group, req.sources.group] = [flags.group, '--group'];
  if (flags.groups !== undefined)
    [req.groups, req.sources.groups] = [parseGroupsFlag(flags.groups), '--groups'];
  if (flags.chroot !== undefined) [req.chroot, req.sources.chroot] = [flags.chroot, '--chroot'];
  if (flags.caps !== undefined) [req.caps, req.sources.caps] = [flags.caps, '--caps'];

  if (req.chroot !== undefined && !req.chroot.startsWith('/')) {
    throw new SecwrapError(
      `chroot ${quoteInput(req.chroot)} (${req.sources.chroot}) must be an absolute path`,
    );
  }
  // Nothing below runs unless one of the new options (or the config's global) is given.
  if (req.configFile !== null || flags.rlimit !== undefined) addLimits(req, flags, globals);
  if (flags.umask !== undefined)
    [req.umask, req.sources.umask] = [parseUmask(flags.umask), '--umask'];
  if (flags.securebits !== undefined)
    [req.securebits, req.sources.securebits] = [parseSecurebits(flags.securebits), '--securebits'];
  if (flags.pdeathsig !== undefined)
    [req.pdeathsig, req.sources.pdeathsig] = [parsePdeathsig(flags.pdeathsig), '--pdeathsig'];
  if (flags.keepGroups || flags.clearGroups || flags.initGroups) groupMode(req, flags);
  if (flags.landlockAccess !== undefined || flags.landlockRule !== undefined) landlock(req, flags);
  if (flags.apparmorProfile !== undefined || flags.selinuxLabel !== undefined) lsmLabel(req, flags);
  return req;
}

/** server_max_file_descriptors, then --rlimit (a flag overrides the file, resource by resource). */
function addLimits(req: Request, flags: Flags, globals: ConfigGlobals | null): void {
  const byResource = new Map<number, LimitRequest>();
  const fds = globals?.serverMaxFileDescriptors;
  if (fds) {
    const n = BigInt(fds.value);
    byResource.set(RLIMIT_NOFILE, {
      resource: RLIMIT_NOFILE,
      name: 'nofile',
      soft: n,
      hard: n,
      source: `server_max_file_descriptors, ${formatPos(fds.source)}`,
    });
  }
  for (const text of flags.rlimit ?? []) {
    const spec = parseRlimit(text);
    byResource.set(spec.resource, { ...spec, source: `--rlimit ${text}` });
  }
  req.limits = [...byResource.values()].sort((a, b) => a.resource - b.resource);
  // A config run without a file-descriptor limit gets Momentum's default (the plan caps it).
  req.nofileDefault = req.configFile !== null && !byResource.has(RLIMIT_NOFILE);
}

function groupMode(req: Request, flags: Flags): void {
  const given = (['keep', 'clear', 'init'] as const).filter((m) => flags[`${m}Groups`]);
  if (given.length > 1)
    throw new SecwrapError(
      `${given.map((m) => `--${m}-groups`).join(' and ')} conflict: choose one`,
    );
  const mode = given[0]!;
  if (req.groups !== undefined) {
    throw new SecwrapError(
      `--${mode}-groups conflicts with the supplementary group list (${req.sources.groups}): choose one`,
    );
  }
  if (mode === 'init' && req.user === undefined)
    throw new SecwrapError(
      '--init-groups needs a user (-u USER, or a config): it sets the groups initgroups(3) gives that user',
    );
  req.groupMode = mode;
  req.sources.groups = `--${mode}-groups`;
}

function landlock(req: Request, flags: Flags): void {
  let access: bigint | 'all' = 0n;
  for (const a of flags.landlockAccess ?? []) {
    const v = parseLandlockAccess(a);
    access = access === 'all' || v === 'all' ? 'all' : access | v;
  }
  const rules = (flags.landlockRule ?? []).map(parseLandlockRule);
  if (access === 0n) {
    throw new SecwrapError(
      '--landlock-rule needs --landlock-access fs[:RIGHT,...]: the rights the sandbox handles (everything else stays allowed)',
    );
  }
  req.landlock = { access, rules };
  req.sources.landlock = '--landlock-access';
}

function lsmLabel(req: Request, flags: Flags): void {
  if (flags.apparmorProfile !== undefined && flags.selinuxLabel !== undefined)
    throw new SecwrapError('--apparmor-profile and --selinux-label conflict: choose one');
  const [lsm, label] =
    flags.apparmorProfile !== undefined
      ? (['apparmor', flags.apparmorProfile] as const)
      : (['selinux', flags.selinuxLabel!] as const);
  if (label === '' || label.includes('\0') || label.includes('\n'))
    throw new SecwrapError(
      `--${lsm === 'apparmor' ? 'apparmor-profile' : 'selinux-label'}: an empty label, or one with a newline or NUL, is refused`,
    );
  req.lsmLabel = { lsm, label };
  req.sources.lsmLabel = lsm === 'apparmor' ? '--apparmor-profile' : '--selinux-label';
}

/**
 * `-u USER[:GROUP]`. With a group part the meaning is gosu's: gid is that group and there are no
 * supplementary groups (unless -G says otherwise); `-u USER:` is `-u USER`, `-u :GROUP` is
 * `-g GROUP`. A group given twice (`-u U:G` with `-g`) is refused.
 */
function userFlag(req: Request, flags: Flags): void {
  const spec = flags.user!;
  const colon = spec.indexOf(':');
  if (colon < 0) {
    [req.user, req.sources.user] = [spec, '--user'];
    return;
  }
  const user = spec.slice(0, colon);
  const group = spec.slice(colon + 1);
  if (group.includes(':'))
    throw new SecwrapError(`--user "${spec}": more than one ":" (USER[:GROUP])`);
  if (user === '' && group === '')
    throw new SecwrapError(`--user "${spec}": neither a user nor a group (USER[:GROUP])`);
  if (user !== '') [req.user, req.sources.user] = [user, '--user'];
  if (group === '') return;
  if (flags.group !== undefined)
    throw new SecwrapError(`--user "${spec}" and --group both set the group: choose one`);
  [req.group, req.sources.group] = [group, '--user'];
  if (flags.groups === undefined) [req.groups, req.sources.groups] = [[], '--user'];
}

/**
 * The request of gosu or su-exec mode: their USER-SPEC, already resolved (src/identity/userspec.ts);
 * no config, no capabilities, only HOME set in the environment, the rest of secwrap as always.
 */
export function specRequest(identity: SpecIdentity, command: string[]): Request {
  const source = `${identity.dialect} "${identity.spec}"`;
  return {
    configFile: null,
    sources: { user: source, group: source, groups: source },
    noNewPrivs: false,
    preserveFds: 0,
    env: 'home',
    newSession: false,
    verbose: false,
    command,
    limits: [],
    nofileDefault: false,
    identity,
  };
}
