// @keyway/audit-chain: the audit trail's hash chain, shared by the audit service and the offline
// verifier in the CLI. Pure: no I/O.
export { canonicalJson, NotCanonicalizable } from './canonical-json';
export { recordHash } from './record-hash';
