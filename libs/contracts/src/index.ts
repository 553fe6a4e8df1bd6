// @keyway/contracts: Keyway's event and HTTP contracts. Runtime schemas (zod) with their inferred
// types.
export { TOPICS, TOPIC_SPECS, type TopicName, type TopicSpec } from './topics';
export {
  Actor,
  IdentityId,
  IpAddress,
  IsoTimestamp,
  KeyHash,
  KeyId,
  MemberId,
  WorkspaceId,
} from './scalars';
export { RateLimit, rateLimitWindowMs, withWindowMs } from './rate-limit';
export { CloudEventEnvelope, cloudEventSchema, type CloudEvent } from './cloud-event';
export { ContractViolation } from './contract-violation';

export { AllowedCidrs, Credits, KeyEnvironment, KeyMetadata, Scope } from './keys/key-fields';
export { KEY_EVENT_TYPES } from './keys/key-event-types';
export { KeyIssuedV1 } from './keys/key-issued.v1';
export { KeyUpdatedV1 } from './keys/key-updated.v1';
export { KeyRotatedV1 } from './keys/key-rotated.v1';
export { KeyRevokedV1 } from './keys/key-revoked.v1';
export { KeyExpiredV1 } from './keys/key-expired.v1';
export { KeyDeletedV1 } from './keys/key-deleted.v1';
export { KeyExpiringV1 } from './keys/key-expiring.v1';
export { KeyEvent, parseKeyEvent, type KeyEventType } from './keys/key-event';

export { MemberKeysPolicy, MemberRole, WorkspacePrefix } from './workspaces/workspace-fields';
export {
  ExternalId,
  IdentityMetadata,
  IdentityRateLimits,
  IdentityScopes,
} from './workspaces/identity-fields';
export { WORKSPACE_EVENT_TYPES } from './workspaces/workspace-event-types';
export { WorkspaceCreatedV1 } from './workspaces/workspace-created.v1';
export { WorkspaceUpdatedV1 } from './workspaces/workspace-updated.v1';
export { WorkspaceUpdatedV2 } from './workspaces/workspace-updated.v2';
export { IdentityCreatedV1 } from './workspaces/identity-created.v1';
export { IdentityUpdatedV1 } from './workspaces/identity-updated.v1';
export { IdentityDeletedV1 } from './workspaces/identity-deleted.v1';
export { MemberAddedV1 } from './workspaces/member-added.v1';
export { MemberRoleChangedV1 } from './workspaces/member-role-changed.v1';
export { MemberRemovedV1 } from './workspaces/member-removed.v1';
export {
  WorkspaceEvent,
  parseWorkspaceEvent,
  type WorkspaceEventType,
} from './workspaces/workspace-event';

export { VERIFICATION_CODES, VerificationCode } from './usage/verification-code';
export { USAGE_EVENT_TYPES } from './usage/usage-event-types';
export { UsageAggregatedV1 } from './usage/usage-aggregated.v1';
export { UsageEvent, parseUsageEvent, type UsageEventType } from './usage/usage-event';

export {
  MANAGEMENT_SCOPES,
  PLATFORM_ADMIN_SCOPE,
  ROLE_SCOPES,
  isManagementScope,
  type ManagementScope,
} from './http/roles';
export { durationMs } from './http/duration';
export {
  MAX_METADATA_DEPTH,
  MAX_RATE_LIMIT_WINDOW_MS,
  MetadataInput,
  nestingDepth,
} from './http/inputs';
export { ERROR_CODES, ERROR_STATUS, ErrorBody, type ErrorCode } from './http/errors';
export {
  CreateKeyRequest,
  EXPIRY_PRESETS,
  KeyEventList,
  KeyList,
  KeyResource,
  KeyScopes,
  KeyWithSecret,
  ListKeysQuery,
  RateLimitInput,
  RateLimitInputs,
  RevokeKeyRequest,
  RotateKeyRequest,
  UpdateKeyRequest,
} from './http/keys';
export {
  CreateMemberRequest,
  MemberList,
  MemberResource,
  UpdateMemberRequest,
} from './http/members';
export {
  IdentityList,
  IdentityPathParams,
  IdentityResource,
  ListIdentitiesQuery,
  PutIdentityRequest,
} from './http/identities';
export {
  BootstrapResult,
  CreatedWorkspace,
  CreateWorkspaceRequest,
  UpdateWorkspaceRequest,
  WorkspaceResource,
} from './http/workspaces';

export { SCOPE_GRAMMAR, ScopeName } from './keys/scope-grammar';
export {
  RateLimitCharge,
  RateLimitState,
  VerifyKeyRequest,
  VerifyKeyResponse,
} from './gateway/verify-key';
export { CreateSessionRequest, SESSION_MAX_TTL_SECONDS, SessionResponse } from './gateway/sessions';
export {
  GATEWAY_ERROR_CODES,
  GatewayErrorBody,
  type GatewayErrorCode,
} from './gateway/gateway-errors';

export {
  AuditRecord,
  ChainHash,
  GENESIS_HASH,
  type UnhashedAuditRecord,
} from './audit/audit-record';
export { CHECKPOINT_EVENT_TYPES } from './audit/checkpoint-event-types';
export { CheckpointFields, CheckpointNote, CheckpointSignedV1 } from './audit/checkpoint-signed.v1';
export {
  CheckpointEvent,
  parseCheckpointEvent,
  type CheckpointEventType,
} from './audit/checkpoint-event';
export {
  BreakReason,
  ChainBreak,
  CheckpointList,
  CheckpointResource,
  IntegrityReport,
  ListCheckpointsQuery,
  MAX_RETENTION_DAYS,
  PublicKeyList,
  PutRetentionRequest,
  RetentionResource,
} from './audit/integrity-http';

export {
  ALERT_KINDS,
  AlertDetails,
  AlertId,
  AlertKind,
  AlertResource,
  AlertStatus,
  Cidr,
  MAX_ALERT_ADDRESSES,
} from './audit/alert-fields';
export { ALERT_EVENT_TYPES } from './audit/alert-event-types';
export { AlertRaisedV1 } from './audit/alert-raised.v1';
export { AlertResolvedV1 } from './audit/alert-resolved.v1';
export { AlertEvent, parseAlertEvent, type AlertEventType } from './audit/alert-event';
export {
  AlertList,
  CreateSuppressionRequest,
  ListAlertsQuery,
  ListSuppressionsQuery,
  SuppressionId,
  SuppressionList,
  SuppressionResource,
} from './audit/alerts-http';
export {
  AuditKeyPathParams,
  KeyActivityQuery,
  KeyActivityResponse,
  KeyReport,
  KeyReportQuery,
  KeyUsageQuery,
  KeyUsageResponse,
  OutcomeCounts,
  ReportedKey,
  USAGE_DEFAULT_SPAN_MS,
  USAGE_GRANULARITIES,
  USAGE_MAX_POINTS,
  UsageGranularity,
} from './audit/key-usage';
export {
  AUDIT_CSV_COLUMNS,
  AUDIT_EXPORT_FORMATS,
  AuditEventList,
  ExportAuditEventsQuery,
  ListAuditEventsQuery,
  MAX_AUDIT_PAGE_SIZE,
  MAX_AUDIT_TYPES,
  type AuditExportFormat,
} from './audit/audit-queries';

export { EVENT_CATALOG, type EventContract, type EventType } from './event-catalog';
export { eventJsonSchemas, type JsonSchema } from './export/json-schemas';
export { asyncApiDocument } from './export/asyncapi';
