/**
 * Public API of the config module: the ecelerity.conf language and its `security` scope.
 */
import { loadConfig, type LoadOptions } from './loader.js';
import { securityScope, type SecurityScope } from './security.js';

export type {
  ArrayValue,
  ConfigDocument,
  ConfigOption,
  ConfigScope,
  HashEntry,
  HashValue,
  IncludeStmt,
  OptionStmt,
  ParsedFile,
  Scalar,
  ScopeStmt,
  Stmt,
  Value,
} from './model.js';
export { findScope, scopeKey } from './model.js';
export { documentFromText, loadConfig, type LoadOptions } from './loader.js';
export { parseText } from './parser.js';
export {
  printConfig,
  stripPositions,
  type StmtModel,
  type ValueModel,
  type ScalarModel,
} from './printer.js';
export {
  securityScope,
  checkJson,
  SECURITY_OPTIONS,
  type SecurityOption,
  type SecurityScope,
  type SecuritySettings,
} from './security.js';
export {
  DEFAULT_LIMITS,
  MAX_DIR_ENTRIES,
  MAX_FILES,
  MAX_INCLUDE_DEPTH,
  MAX_NESTING,
  MAX_NAMES,
  MAX_NODES,
  MAX_SCOPES,
  MAX_TOTAL_BYTES,
  type Limits,
} from './limits.js';

/** Convenience: loadConfig + securityScope (validated unless opts.validate === false). */
export function loadSecurity(path: string, opts: LoadOptions = {}): SecurityScope {
  const doc = loadConfig(path, opts);
  return securityScope(doc, opts.validate === false ? { validate: false } : {});
}
export {
  serverMaxFileDescriptors,
  MOMENTUM_MAX_FILE_DESCRIPTORS,
  type GlobalSetting,
} from './globals.js';
