export {
  CAP_NAMES,
  CAP_LAST_KNOWN,
  CAP_MAX_BITS,
  CAP_LAST_CAP_PATH,
  MASK64,
  allMask,
  capBit,
  capLastCap,
  capName,
  capNumber,
  parseCapLastCap,
} from './table.js';
export {
  CapTextError,
  capFromText,
  capToText,
  closestName,
  maskToHex,
  maskToNames,
} from './text.js';
export type { CapState } from './text.js';
export {
  PrivilegesError,
  privilegeByName,
  privilegesFromText,
  solarisTables,
} from './solaris.js';
export type { PrivilegesResult, SolarisTables } from './solaris.js';
export { capsReport } from './report.js';
