/**
 * Where the ffi-rs native part comes from. This is the only place that loads native code.
 *
 * Development build (dist/secwrap.cjs run by a plain `node`, and the compiled unit tests): the
 * addon installed by npm under node_modules, found by module resolution from this file.
 *
 * Single executable (dist/secwrap, a Node SEA; `sea.isSea()` is true): the addon is embedded as
 * the SEA asset `ffi-rs.node` and is never given a name in the file system. For each directory of
 * a fixed list (never TMPDIR or anything else from the environment):
 *   1. the directory must be a real directory (not a symlink) owned by root;
 *   2. `open(dir, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0700)` creates an *unnamed* inode on
 *      that file system: no other process can open it by name, replace it or race us for it, and
 *      O_EXCL forbids ever linking it into a directory; fstat must show a regular, empty file
 *      with no links, owned by us;
 *   3. `/proc/self/fd/N` must resolve to that very inode (same device and inode number), else
 *      /proc is missing or not the real procfs;
 *   4. the file system must not be served from user space or over the network (FUSE, NFS, CIFS,
 *      9p, …), whose server could hand the loader other bytes than the ones we wrote;
 *   5. `access(/proc/self/fd/N, X_OK)` must succeed: it fails with EACCES on a noexec mount,
 *      where dlopen could not map the code anyway;
 *   6. the asset is written, `process.dlopen(module, "/proc/self/fd/N")` maps it, the fd is
 *      closed. The inode lives on only as the mapping and is freed when the process exits or
 *      execve()s the target: nothing is left behind, and the fd never reaches the target (it is
 *      close-on-exec and closed anyway).
 * If no directory of the list passes, a SecwrapError (exit 125) lists every directory and why.
 * memfd_create would avoid the directories altogether but is not reachable from Node without
 * native code, which is the very thing being loaded.
 */
import {
  accessSync,
  closeSync,
  constants as fsc,
  fstatSync,
  lstatSync,
  openSync,
  statfsSync,
  statSync,
  writeSync,
} from 'node:fs';
import * as sea from 'node:sea';
import { SecwrapError } from '../errors.js';

/** The raw exports of ffi-rs's native addon (what ffi-rs's index.js re-exports). */
export interface FfiBinding {
  DataType: Record<string, number>;
  FFITypeTag: Record<string, number>;
  PointerType: Record<string, number>;
  open(params: { library: string; path: string }): void;
  close(library: string): void;
  load(params: Record<string, unknown>): unknown;
  createPointer(params: { paramsType: unknown[]; paramsValue: unknown[] }): unknown[];
  restorePointer(params: { retType: unknown[]; paramsValue: unknown[] }): unknown[];
  unwrapPointer(params: unknown[]): unknown[];
  freePointer(params: { paramsType: unknown[]; paramsValue: unknown[]; pointerType: number }): void;
  isNullPointer(p: unknown): boolean;
  createExternalBuffer(p: unknown, length: number): Buffer;
}

// The package npm installs for this machine's CPU (x64 or arm64; glibc only, as Node's builds).
const ADDON_PACKAGE = `@yuuang/ffi-rs-linux-${process.arch}-gnu`;

/** Name of the SEA asset holding the addon (scripts/build.mjs embeds it under this key). */
export const SEA_ADDON_ASSET = 'ffi-rs.node';

/**
 * Where the single executable may create its unnamed copy of the addon, in order. All are
 * root-owned on a normal system; /dev/shm and /run are tmpfs (memory) but /dev/shm is noexec in
 * containers; /tmp and /var/tmp are the usual writable places on a read-only root (`docker run
 * --read-only`, a Kubernetes emptyDir).
 */
export const SEA_ADDON_DIRS: readonly string[] = ['/dev/shm', '/run', '/tmp', '/var/tmp'];

// O_TMPFILE = __O_TMPFILE | O_DIRECTORY. __O_TMPFILE and O_CLOEXEC are asm-generic's on x86-64
// and arm64, but O_DIRECTORY is not (x86-64 0o200000, arm64 0o40000, where 0o200000 is O_DIRECT):
// it comes from Node's constants, which are the platform's own.
const O_TMPFILE = 0o20000000 | fsc.O_DIRECTORY;
const O_CLOEXEC = 0o2000000;

// statfs f_type of file systems whose content is served by a process or a remote host.
const UNTRUSTED_FS: ReadonlyMap<number, string> = new Map([
  [0x65735546, 'fuse'],
  [0x6969, 'nfs'],
  [0xff534d42, 'cifs'],
  [0xfe534d42, 'smb2'],
  [0x517b, 'smb'],
  [0x01021997, '9p'],
  [0x00c36400, 'ceph'],
  [0x5346414f, 'afs'],
  [0x73757245, 'coda'],
  [0x564c, 'ncp'],
]);

let binding: FfiBinding | undefined;

export function loadFfiBinding(): FfiBinding {
  if (binding) return binding;
  const mod = { exports: {} as FfiBinding };
  if (sea.isSea()) {
    loadFromSeaAsset(mod);
  } else {
    // node:module only here (loading it cost every start ≈ 0.3 ms; the executable never needs it).
    const { createRequire } = process.getBuiltinModule('node:module');
    const req = createRequire(import.meta.url);
    process.dlopen(mod, req.resolve(ADDON_PACKAGE));
  }
  binding = mod.exports;
  return binding;
}

function reason(e: unknown): string {
  if (e && typeof e === 'object' && 'code' in e && typeof e.code === 'string') {
    return e.code;
  }
  return e instanceof Error ? e.message.split('\n')[0]! : String(e);
}

function loadFromSeaAsset(mod: { exports: FfiBinding }): void {
  const raw = sea.getRawAsset(SEA_ADDON_ASSET);
  const bytes = typeof raw === 'string' ? Buffer.from(raw) : new Uint8Array(raw);
  const euid = process.geteuid?.() ?? 0;
  const tried: string[] = [];
  let procChecked = false;
  for (const dir of SEA_ADDON_DIRS) {
    const why = tryDir(dir, bytes, euid, mod, () => {
      if (procChecked) return;
      try {
        statSync('/proc/self/fd');
      } catch (e) {
        throw new SecwrapError(
          `cannot load the native part of secwrap: /proc is not mounted (/proc/self/fd: ${reason(e)}); ` +
            'the embedded addon is loaded through /proc/self/fd/N',
        );
      }
      procChecked = true;
    });
    if (why === undefined) return;
    tried.push(`${dir}: ${why}`);
  }
  throw new SecwrapError(
    'cannot load the native part of secwrap: no usable directory for an unnamed (O_TMPFILE) copy ' +
      `of the embedded addon; tried ${tried.join('; ')}. ` +
      'Provide one of these as a root-owned, writable mount that allows exec: ' +
      "Docker: docker run --tmpfs /tmp:exec (Docker's --tmpfs is noexec unless told); " +
      'Kubernetes: an emptyDir volume mounted at /tmp',
  );
}

/** Returns undefined when the addon got loaded from `dir`, else why not. */
function tryDir(
  dir: string,
  bytes: Uint8Array,
  euid: number,
  mod: { exports: FfiBinding },
  checkProc: () => void,
): string | undefined {
  try {
    const st = lstatSync(dir);
    if (!st.isDirectory()) return st.isSymbolicLink() ? 'is a symlink' : 'not a directory';
    if (st.uid !== 0) return `owned by uid ${st.uid}, not root`;
  } catch (e) {
    return reason(e);
  }
  let fd: number;
  try {
    fd = openSync(dir, O_TMPFILE | fsc.O_RDWR | fsc.O_EXCL | O_CLOEXEC, 0o700);
  } catch (e) {
    return `O_TMPFILE open: ${reason(e)}`;
  }
  try {
    const fst = fstatSync(fd);
    if (!fst.isFile() || fst.nlink !== 0 || fst.size !== 0 || fst.uid !== euid) {
      return 'O_TMPFILE open did not give an empty unnamed file of ours';
    }
    const self = `/proc/self/fd/${fd}`;
    let pst: ReturnType<typeof statSync>;
    try {
      pst = statSync(self);
    } catch (e) {
      checkProc(); // a clearer message when /proc itself is missing
      return `${self}: ${reason(e)}`;
    }
    if (pst.dev !== fst.dev || pst.ino !== fst.ino) return `${self} is not the file just opened`;
    const type = statfsSync(self).type;
    const bad = UNTRUSTED_FS.get(type);
    if (bad) return `on a ${bad} file system`;
    try {
      accessSync(self, fsc.X_OK);
    } catch (e) {
      return `no exec allowed (${reason(e)}: mounted noexec?)`;
    }
    for (let off = 0; off < bytes.length; ) {
      off += writeSync(fd, bytes, off, bytes.length - off, off);
    }
    try {
      process.dlopen(mod, self);
    } catch (e) {
      return `dlopen: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}
