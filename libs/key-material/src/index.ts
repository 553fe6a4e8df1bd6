export { DEVELOPMENT_PEPPER } from './pepper';
export {
  CHECKSUM_LENGTH,
  displayParts,
  generateKey,
  hashKey,
  parseKey,
  PREFIX_PATTERN,
  RANDOM_LENGTH,
  type KeyEnvironment,
  type KeyShapeError,
  type ParsedKey,
} from './api-key';
export { BASE62, randomBase62, toBase62 } from './base62';
