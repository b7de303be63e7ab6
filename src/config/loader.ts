/**
 * Reads a configuration file, follows include / readonly_include, and merges everything into one
 * ConfigDocument.
 *
 * Every file and folder is opened once; the descriptor is handed to `onOpen` (the trust check)
 * and the content is then read from that same descriptor, so a path swapped between check and
 * read cannot slip through. Folder entries are opened relative to the folder's descriptor
 * (through /proc/self/fd/N, Linux's openat() equivalent) when /proc is available.
 *
 * Decisions:
 * - Relative include paths are tried first in the folder of the including file, then in the
 *   folder of the main configuration file (never the process's working directory).
 * - A folder includes its entries in code-unit (C locale) order of their names, skipping names
 *   that start with '.', sub-folders (also via symlink) and anything that is not a regular file
 *   (FIFOs, sockets, devices). Symlinks to regular files are followed.
 * - Files are opened O_NONBLOCK (a FIFO can never block the load) and must be valid UTF-8.
 * - The main path must be a regular file (not a folder).
 * - A file may be included several times (not cyclically); each inclusion is read again and
 *   counts against the bounds. A cycle is detected on (device, inode), files and folders.
 */
import {
  closeSync,
  constants as fsConstants,
  existsSync,
  fstatSync,
  openSync,
  opendirSync,
  readSync,
  type Dir,
  type Dirent,
  type Stats,
} from 'node:fs';
import { isAscii, isUtf8 } from 'node:buffer';
import { dirname } from 'node:path';
import { ConfigError, SecwrapError, quoteInput, type Pos } from '../errors.js';
import { resolveLimits, type Limits } from './limits.js';
import type { ConfigDocument, IncludeStmt } from './model.js';
import { decodeValue, parseInto, type ParseBudget } from './parser.js';
import { ScopeNode } from './scope.js';
import { fileText, type FileText } from './text.js';

export interface LoadOptions {
  /** false: parse the main file only (includes not followed). Default true. */
  followIncludes?: boolean;
  /**
   * Used by securityScope/loadSecurity: false = do not validate the security scope's shapes
   * (--syntax-only). loadConfig itself never validates the security scope.
   */
  validate?: boolean;
  /**
   * Called for every file and folder secwrap opens, with the OPEN descriptor, before its content
   * is trusted (the trust module fstat()s it). Throw to refuse; the error propagates unchanged.
   */
  onOpen?: (fd: number, path: string, kind: 'file' | 'dir') => void;
  /**
   * Opens every file and folder the load reads, by the path as written (main file, include,
   * folder entry), with the loader's flags; returns the descriptor (the trust module's opener
   * walks the path first). Errors with an errno `code` ENOENT or ENOTDIR mean "not there"; any
   * other error refuses. Default: open(2) on the path.
   */
  open?: (path: string, flags: number) => number;
  /** Lower the bounds of limits.ts (tests). Values above the defaults are ignored. */
  limits?: Partial<Limits>;
}

interface Ctx {
  readonly follow: boolean;
  readonly onOpen: LoadOptions['onOpen'];
  /** The opener; `custom` when the caller gave one (folder entries are then opened by path). */
  readonly open: (path: string, flags: number) => number;
  readonly custom: boolean;
  readonly limits: Limits;
  readonly budget: ParseBudget;
  bytes: number;
  files: number;
  /** Files and folders being included right now (cycle detection), outermost first. */
  readonly chain: { id: string; path: string }[];
  readonly mainDir: string;
  readonly doc: ConfigDocument;
  readonly procFd: boolean;
}

const OPEN_FLAGS = fsConstants.O_RDONLY | fsConstants.O_NONBLOCK | (fsConstants.O_NOCTTY ?? 0);

function errText(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  // "ENOENT: no such file or directory, open 'x'" -> "ENOENT: no such file or directory"
  const k = m.indexOf(', ');
  return k > 0 && /^[A-Z0-9_]+: /.test(m) ? m.slice(0, k) : m;
}

function errCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e
    ? String((e as { code: unknown }).code)
    : undefined;
}

function newRoot(at: Pos): ScopeNode {
  return ScopeNode.root(at.file, at.line, at.col, decodeValue);
}

function joinRel(dir: string, rel: string): string {
  if (dir === '.') return rel;
  return dir.endsWith('/') ? dir + rel : `${dir}/${rel}`;
}

function countOpen(ctx: Ctx, at: Pos): void {
  if (++ctx.files > ctx.limits.maxFiles) {
    throw new ConfigError(
      at,
      `too many configuration files: more than ${ctx.limits.maxFiles} files and folders opened`,
    );
  }
}

function checkCycle(ctx: Ctx, id: string, path: string, at: Pos): void {
  const k = ctx.chain.findIndex((c) => c.id === id);
  if (k >= 0) {
    const names = ctx.chain.slice(k).map((c) => c.path);
    names.push(path);
    throw new ConfigError(at, `include cycle: ${names.join(' -> ')}`);
  }
}

/** Offset of the first byte that is not part of valid UTF-8 (or -1). */
function firstInvalidUtf8(b: Uint8Array): number {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const d = i + k < n ? b[i + k]! : -1;
      if (k === 1 ? d < lo || d > hi : d < 0x80 || d > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** Read and decode a file (the parser scans the ASCII bytes as read: no second copy). */
function readText(ctx: Ctx, fd: number, size: number, path: string, at: Pos): FileText {
  const remaining = ctx.limits.maxTotalBytes - ctx.bytes;
  const tooBig = (): ConfigError =>
    new ConfigError(
      at,
      `configuration too large: reading ${path} would exceed the limit of ${ctx.limits.maxTotalBytes} bytes read in total`,
    );
  if (size > remaining) throw tooBig();
  let buf = Buffer.allocUnsafe(Math.min(size, remaining) + 1);
  let total = 0;
  for (;;) {
    if (total === buf.length) {
      if (total > remaining) throw tooBig();
      const nb = Buffer.allocUnsafe(Math.min(buf.length * 2, remaining + 1));
      buf.copy(nb, 0, 0, total);
      buf = nb;
    }
    let n: number;
    try {
      n = readSync(fd, buf, total, buf.length - total, null);
    } catch (e) {
      throw new ConfigError(at, `cannot read ${path}: ${errText(e)}`);
    }
    if (n === 0) break;
    total += n;
  }
  if (total > remaining) throw tooBig();
  ctx.bytes += total;
  const data = buf.subarray(0, total);
  // Pure ASCII (the common case) is valid UTF-8 and decodes as latin1: a plain copy. Its bytes
  // are its code units; a plain Uint8Array view (not the Buffer subclass) keeps the parser's
  // element loads monomorphic.
  if (isAscii(data)) {
    return fileText(
      path,
      data.toString('latin1'),
      new Uint8Array(data.buffer, data.byteOffset, data.length),
    );
  }
  if (!isUtf8(data)) {
    const off = firstInvalidUtf8(data);
    let line = 1;
    let ls = 0;
    for (let j = 0; j < off; j++) {
      if (data[j] === 10) {
        line++;
        ls = j + 1;
      }
    }
    const col = data.toString('utf8', ls, off).length + 1;
    throw new ConfigError({ file: path, line, col }, 'invalid UTF-8 byte sequence');
  }
  return fileText(path, data.toString('utf8'));
}

function loadFile(
  ctx: Ctx,
  fd: number,
  st: Stats,
  path: string,
  scope: ScopeNode,
  depth: number,
  at: Pos,
  includeDepth: number,
): void {
  const id = `${st.dev}:${st.ino}`;
  checkCycle(ctx, id, path, at);
  const ft = readText(ctx, fd, st.size, path, at);
  ctx.doc.files.push(path);
  ctx.chain.push({ id, path });
  try {
    parseInto(
      ft,
      scope,
      { baseDepth: depth, limits: ctx.limits, budget: ctx.budget },
      ctx.follow ? (st, sc, d) => include(ctx, st, sc, d, includeDepth + 1) : undefined,
    );
  } finally {
    ctx.chain.pop();
  }
}

function loadDir(
  ctx: Ctx,
  fd: number,
  st: Stats,
  dirPath: string,
  scope: ScopeNode,
  depth: number,
  at: Pos,
  includeDepth: number,
): void {
  const id = `${st.dev}:${st.ino}`;
  checkCycle(ctx, id, dirPath, at);
  const listPath = ctx.procFd ? `/proc/self/fd/${fd}` : dirPath;
  const names: string[] = [];
  let dir: Dir;
  try {
    // Node's typings allow only string encodings here; 'buffer' works (Node 20 and 26).
    dir = opendirSync(listPath, { encoding: 'buffer' as BufferEncoding });
  } catch (e) {
    throw new ConfigError(at, `cannot list folder ${dirPath}: ${errText(e)}`);
  }
  try {
    let seen = 0;
    for (;;) {
      let e: Dirent | null;
      try {
        e = dir.readSync();
      } catch (err) {
        throw new ConfigError(at, `cannot list folder ${dirPath}: ${errText(err)}`);
      }
      if (e === null) break;
      if (++seen > ctx.limits.maxDirEntries) {
        throw new ConfigError(
          at,
          `folder ${dirPath} has more than ${ctx.limits.maxDirEntries} entries`,
        );
      }
      // Names as bytes: one that is not UTF-8 would be decoded to U+FFFD and another file opened.
      const raw = e.name as unknown as Buffer;
      if (raw[0] === 0x2e || e.isDirectory()) continue;
      if (!isUtf8(raw)) {
        throw new ConfigError(
          at,
          `folder ${dirPath} holds an entry whose name is not valid UTF-8 (${JSON.stringify(raw.toString('latin1'))}); refused`,
        );
      }
      names.push(raw.toString('utf8'));
    }
  } finally {
    dir.closeSync();
  }
  names.sort(); // UTF-16 code-unit order: locale independent
  ctx.chain.push({ id, path: dirPath });
  try {
    for (const name of names) {
      const display = joinRel(dirPath, name);
      const openPath = ctx.procFd && !ctx.custom ? `${listPath}/${name}` : display;
      countOpen(ctx, at);
      let efd: number;
      try {
        efd = ctx.open(openPath, OPEN_FLAGS);
      } catch (e) {
        throw new ConfigError(at, `cannot open ${display}: ${errText(e)}`);
      }
      try {
        const es = fstatSync(efd);
        if (!es.isFile()) continue; // sub-folder via symlink, FIFO, socket, device: skipped
        ctx.onOpen?.(efd, display, 'file');
        loadFile(ctx, efd, es, display, scope, depth, at, includeDepth);
      } finally {
        closeSync(efd);
      }
    }
  } finally {
    ctx.chain.pop();
  }
}

function include(
  ctx: Ctx,
  st: IncludeStmt,
  scope: ScopeNode,
  depth: number,
  includeDepth: number,
): void {
  const kw = st.readonly ? 'readonly_include' : 'include';
  const rel = st.path.text;
  const shown = quoteInput(rel, 256);
  if (includeDepth > ctx.limits.maxIncludeDepth) {
    throw new ConfigError(
      st,
      `${kw} ${shown}: includes nested too deeply (maximum include depth is ${ctx.limits.maxIncludeDepth})`,
    );
  }
  const candidates: string[] = [];
  if (rel.startsWith('/')) candidates.push(rel);
  else {
    candidates.push(joinRel(dirname(st.file), rel));
    const alt = joinRel(ctx.mainDir, rel);
    if (alt !== candidates[0]) candidates.push(alt);
  }
  let fd = -1;
  let used = '';
  for (const c of candidates) {
    try {
      fd = ctx.open(c, OPEN_FLAGS);
      used = c;
      break;
    } catch (e) {
      const code = errCode(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      throw new ConfigError(st, `${kw} ${shown}: cannot open ${c}: ${errText(e)}`);
    }
  }
  if (fd < 0) {
    throw new ConfigError(
      st,
      `${kw} ${shown}: no such file or folder (looked for ${candidates.join(', ')})`,
    );
  }
  try {
    countOpen(ctx, st);
    const s = fstatSync(fd);
    if (s.isFile()) {
      ctx.onOpen?.(fd, used, 'file');
      loadFile(ctx, fd, s, used, scope, depth, st, includeDepth);
    } else if (s.isDirectory()) {
      ctx.onOpen?.(fd, used, 'dir');
      loadDir(ctx, fd, s, used, scope, depth, st, includeDepth);
    } else {
      throw new ConfigError(st, `${kw} ${shown}: ${used} is not a regular file or folder`);
    }
  } finally {
    closeSync(fd);
  }
}

/** Reads, parses (following includes unless told not to) and merges. Throws ConfigError. */
export function loadConfig(path: string, opts: LoadOptions = {}): ConfigDocument {
  const at: Pos = { file: path, line: 1, col: 1 };
  const root = newRoot(at);
  const doc: ConfigDocument = { root, files: [] };
  const ctx: Ctx = {
    follow: opts.followIncludes !== false,
    onOpen: opts.onOpen,
    open: opts.open ?? ((p, flags) => openSync(p, flags)),
    custom: opts.open !== undefined,
    limits: resolveLimits(opts.limits),
    budget: { nodes: 0 },
    bytes: 0,
    files: 0,
    chain: [],
    mainDir: dirname(path),
    doc,
    procFd: existsSync('/proc/self/fd'),
  };
  let fd: number;
  try {
    fd = ctx.open(path, OPEN_FLAGS);
  } catch (e) {
    // Not at a made-up FILE:1:1: there is no file to point into.
    const code = errCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new SecwrapError(
        `no config file at ${path} (${errText(e)}): give the path of your ecelerity.conf with -c; ` +
          'in a container image, COPY --chmod=0644 it to that path',
      );
    }
    throw new SecwrapError(`cannot open config file ${path}: ${errText(e)}`);
  }
  try {
    countOpen(ctx, at);
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new ConfigError(at, 'is a folder; expected a configuration file');
    if (!st.isFile()) throw new ConfigError(at, 'not a regular file');
    ctx.onOpen?.(fd, path, 'file');
    loadFile(ctx, fd, st, path, root, 0, at, 0);
  } finally {
    closeSync(fd);
  }
  return doc;
}

/**
 * Parse one text and merge it into a document without following includes (tests, tools that
 * already hold the text). Include statements are ignored.
 */
export function documentFromText(text: string, file: string): ConfigDocument {
  const root = newRoot({ file, line: 1, col: 1 });
  parseInto(fileText(file, text), root, {}, undefined);
  return { root, files: [file] };
}
