/**
 * The plan as data: its types, and the small pure helpers that both the plan (./plan.ts) and the
 * order of its steps (./order.ts) use. No lookups and no side effects here.
 */
import { maskToNames } from '../caps/index.js';
import type { ProcState } from '../proc/status.js';
import type { EnvMode } from './request.js';
import { RLIM_INFINITY } from './specs.js';
import type { Step } from './steps.js';

export const CAP_SETGID = 6;
export const CAP_SETUID = 7;
export const CAP_SETPCAP = 8;
export const CAP_SYS_CHROOT = 18;
export const CAP_SYS_RESOURCE = 24;

export interface Identity {
  id: number;
  name: string | null;
}

/** What verify must read back after apply, and what the command then starts with. */
export type Expected = Omit<ProcState, 'sigIgnored' | 'sigBlocked'>;

export interface CapPlan {
  text: string;
  /** libcap's canonical text for the parsed request. */
  canonical: string;
  /** R: the caps with the p flag; the command keeps exactly these (permitted, effective, ambient). */
  retained: bigint;
  /** R ∪ I: the inheritable set and the bounding set the command gets. */
  inheritable: bigint;
}

export interface Plan {
  command: string[];
  configFile: string | null;
  sources: Record<string, string>;
  lastCap: number;
  before: ProcState;
  /** null: unchanged. */
  user: Identity | null;
  group: Identity | null;
  groups: {
    list: Identity[];
    from: 'config' | 'flag' | 'initgroups' | 'none' | 'keep' | 'clear' | 'spec';
  } | null;
  chroot: string | null;
  caps: CapPlan | null;
  privileges: { text: string; linux: string; unmapped: string[] } | null;
  noNewPrivs: boolean;
  newSession: boolean;
  /** Descriptors kept open besides 0, 1 and 2. */
  keepFds: number[];
  env: { mode: EnvMode; set: Record<string, string> };
  /** Resource limits set before the drop (soft, hard), read back from /proc/self/limits. */
  limits: PlannedLimit[];
  /** The umask (also in expect), or null: unchanged. */
  umask: number | null;
  /** The securebits written (setpriv's meaning, keep_caps included), read back with prctl. */
  securebits: number | null;
  /** The parent-death signal set after the drop (0: cleared), read back with prctl. */
  pdeathsig: number | null;
  landlock: LandlockPlan | null;
  /** The LSM label for the command, written to /proc/self/attr/exec. */
  lsmLabel: { lsm: 'apparmor' | 'selinux'; label: string } | null;
  expect: Expected;
  steps: Step[];
  notes: string[];
}

export interface PlannedLimit {
  resource: number;
  name: string;
  soft: bigint;
  hard: bigint;
  /** The limits found before the drop. */
  current: { soft: bigint; hard: bigint };
  /** `--rlimit …`, `server_max_file_descriptors, FILE:LINE:COL`, or Momentum's default. */
  source: string;
  /** Why this value, when secwrap chose it (Momentum's default). */
  why?: string;
}

export interface LandlockPlan {
  /** The best ABI the kernel offers. */
  abi: number;
  /** The filesystem rights the sandbox handles (denied unless a rule allows them). */
  handled: bigint;
  rules: { path: string; rights: bigint }[];
}

export interface PlanContext {
  state: ProcState;
  pid: number;
  env: NodeJS.ProcessEnv;
  stdinIsTty: boolean;
}

export const bit = (c: number): bigint => 1n << BigInt(c);
export const has = (mask: bigint, c: number): boolean => (mask & bit(c)) !== 0n;
export const capLabel = (c: number): string => maskToNames(bit(c))[0] ?? `cap_${c}`;

export const wasRoot = (state: ProcState): boolean => state.uid.slice(0, 3).some((u) => u === 0);

export function fmtLimit(v: bigint): string {
  return v === RLIM_INFINITY ? 'unlimited' : String(v);
}
export function fmtMode(m: number): string {
  return '0' + m.toString(8).padStart(3, '0');
}

export function fmtId(i: Identity): string {
  return i.name === null ? String(i.id) : `${i.id}(${i.name})`;
}
export function names(mask: bigint): string {
  const n = maskToNames(mask);
  return n.length ? n.join(',') : 'none';
}
export function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
/** An unprivileged setres[ug]id may only use values among the current real/effective/saved ids. */
export function canSetUnprivileged(target: readonly number[], cur: readonly number[]): boolean {
  return target.every((t) => cur.slice(0, 3).includes(t));
}
