/**
 * Where the ffi-rs native part comes from. This is the only place that loads native code.
 *
 * Development build (dist/secwrap launcher + bundle, and the compiled unit tests): the addon
 * installed by npm under node_modules, found by module resolution from this file.
 * Single executable: see the SEA branch (the shipping work replaces this comment with the design).
 */
import { createRequire } from 'node:module';

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

const ADDON_PACKAGE = '@yuuang/ffi-rs-linux-x64-gnu';

let binding: FfiBinding | undefined;

export function loadFfiBinding(): FfiBinding {
  if (binding) return binding;
  const req = createRequire(import.meta.url);
  const path = req.resolve(ADDON_PACKAGE);
  const mod = { exports: {} as FfiBinding };
  process.dlopen(mod, path);
  binding = mod.exports;
  return binding;
}
