/**
 * The request: what the caller asked for, from the config file's security scope and the flags,
 * before anything is looked up. Flags override the file option by option (and work without a
 * file). Conflicts are rejected here, before any side effect (as setpriv does).
 */
import { SecwrapError, formatPos } from '../errors.js';
import type { SecurityScope } from '../config/index.js';
import type { SpecIdentity } from '../identity/userspec.js';

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
}

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
  /** gosu or su-exec mode: the identity their USER-SPEC resolved to, used as it is. */
  identity?: SpecIdentity;
}

/** Parse `-G a,b,c` ('' means none). */
export function parseGroupsFlag(v: string): string[] {
  if (v === '') return [];
  const parts = v.split(',');
  if (parts.some((p) => p === '')) throw new SecwrapError(`--groups "${v}": empty entry in the list`);
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

export function buildRequest(flags: Flags, scope: SecurityScope | null, command: string[]): Request {
  if (flags.keepEnv && flags.resetEnv) throw new SecwrapError('--keep-env and --reset-env conflict: choose one');
  const pf = flags.preserveFds ?? 0;
  if (!Number.isInteger(pf) || pf < 0 || pf > 65536) throw new SecwrapError(`--preserve-fds ${String(flags.preserveFds)}: expected a whole number 0-65536`);

  const req: Request = {
    configFile: flags.config ?? null,
    sources: {},
    noNewPrivs: flags.noNewPrivs ?? false,
    preserveFds: pf,
    env: flags.keepEnv ? 'keep' : flags.resetEnv ? 'reset' : 'default',
    newSession: flags.newSession ?? false,
    verbose: flags.verbose ?? false,
    command,
  };
  if (scope) {
    const s = scope.settings;
    const src = (k: keyof typeof s): string => {
      const p = scope.sources[k];
      return p ? formatPos(p) : (flags.config ?? 'config');
    };
    if (s.user !== undefined) [req.user, req.sources.user] = [s.user, src('user')];
    if (s.group !== undefined) [req.group, req.sources.group] = [s.group, src('group')];
    if (s.supplemental_groups !== undefined) [req.groups, req.sources.groups] = [[...s.supplemental_groups], src('supplemental_groups')];
    if (s.chroot !== undefined) [req.chroot, req.sources.chroot] = [s.chroot, src('chroot')];
    if (s.capabilities !== undefined) [req.caps, req.sources.caps] = [s.capabilities, src('capabilities')];
    if (s.privileges !== undefined) [req.privileges, req.sources.privileges] = [s.privileges, src('privileges')];
    req.user ??= MOMENTUM_DEFAULT_USER;
    req.sources.user ??= MOMENTUM_DEFAULT_SOURCE;
    req.group ??= MOMENTUM_DEFAULT_GROUP;
    req.sources.group ??= MOMENTUM_DEFAULT_SOURCE;
  }
  if (flags.user !== undefined) userFlag(req, flags);
  if (flags.group !== undefined) [req.group, req.sources.group] = [flags.group, '--group'];
  if (flags.groups !== undefined) [req.groups, req.sources.groups] = [parseGroupsFlag(flags.groups), '--groups'];
  if (flags.chroot !== undefined) [req.chroot, req.sources.chroot] = [flags.chroot, '--chroot'];
  if (flags.caps !== undefined) [req.caps, req.sources.caps] = [flags.caps, '--caps'];

  if (req.chroot !== undefined && !req.chroot.startsWith('/')) {
    throw new SecwrapError(`chroot "${req.chroot}" (${req.sources.chroot}) must be an absolute path`);
  }
  return req;
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
  if (group.includes(':')) throw new SecwrapError(`--user "${spec}": more than one ":" (USER[:GROUP])`);
  if (user === '' && group === '') throw new SecwrapError(`--user "${spec}": neither a user nor a group (USER[:GROUP])`);
  if (user !== '') [req.user, req.sources.user] = [user, '--user'];
  if (group === '') return;
  if (flags.group !== undefined) throw new SecwrapError(`--user "${spec}" and --group both set the group: choose one`);
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
    identity,
  };
}
