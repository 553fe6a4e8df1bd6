import { z } from 'zod';
import { IpAddress, IsoTimestamp, KeyId, WorkspaceId } from '../scalars';
import { VerificationCode } from '../usage/verification-code';

/** Alert id, `alr_…`. */
export const AlertId = z
  .string()
  .regex(/^alr_[0-9A-Za-z]{1,64}$/)
  .meta({ description: 'Alert id, `alr_…`.' });
export type AlertId = z.infer<typeof AlertId>;

/** What a detector saw (docs/api/audit-alerts.md describes each rule and its threshold). */
export const ALERT_KINDS = [
  'revoked-key-used',
  'expired-key-used',
  'new-network',
  'denial-burst',
] as const;
export const AlertKind = z.enum(ALERT_KINDS).meta({
  description:
    '`revoked-key-used`, `expired-key-used`: a revoked or expired key is still being tried; ' +
    '`new-network`: a key with a history is used from a network it was never seen from; ' +
    '`denial-burst`: denials (401/403/429) of a key far above its usual level.',
});
export type AlertKind = z.infer<typeof AlertKind>;

export const AlertStatus = z.enum(['open', 'resolved']);
export type AlertStatus = z.infer<typeof AlertStatus>;

/** An address range: `203.0.113.0/24`, `2001:db8::/32`. */
export const Cidr = z.union([z.cidrv4(), z.cidrv6()]);

/** Most addresses (and networks) an alert lists; the counts cover them all. */
export const MAX_ALERT_ADDRESSES = 20;

/** What the kind's detector adds: every field is optional, none is free-form. */
export const AlertDetails = z
  .strictObject({
    networks: z
      .array(Cidr)
      .max(MAX_ALERT_ADDRESSES)
      .optional()
      .meta({ description: '`new-network`: the networks the key was never seen from before.' }),
    baselinePerMinute: z
      .number()
      .min(0)
      .optional()
      .meta({ description: "`denial-burst`: the key's mean denials per minute before the burst." }),
    thresholdPerMinute: z
      .int()
      .min(1)
      .optional()
      .meta({ description: '`denial-burst`: the level a minute had to reach (frozen at start).' }),
    peakPerMinute: z
      .int()
      .min(0)
      .optional()
      .meta({ description: '`denial-burst`: the most denials in one minute of the burst.' }),
  })
  .meta({ id: 'AlertDetails' });
export type AlertDetails = z.infer<typeof AlertDetails>;

/** The fields every alert has; the HTTP resource adds its workspace. */
export const alertShape = {
  id: AlertId,
  kind: AlertKind,
  keyId: KeyId,
  status: AlertStatus,
  firstSeenAt: IsoTimestamp.meta({ description: 'The first sighting the alert covers.' }),
  lastSeenAt: IsoTimestamp.meta({ description: 'The last sighting the alert covers.' }),
  raisedAt: IsoTimestamp.meta({ description: 'When audit raised it.' }),
  resolvedAt: IsoTimestamp.nullable().meta({
    description: 'When audit resolved it; null while open.',
  }),
  counts: z
    .partialRecord(VerificationCode, z.int().min(0))
    .meta({ description: 'Verifications the alert covers, by outcome (only the relevant ones).' }),
  clientAddresses: z
    .array(IpAddress)
    .max(MAX_ALERT_ADDRESSES)
    .meta({ description: `Client addresses involved (the first ${MAX_ALERT_ADDRESSES}).` }),
  details: AlertDetails,
};

/** `GET /v1/alerts/{id}`: one alert. */
export const AlertResource = z
  .strictObject({ ...alertShape, workspaceId: WorkspaceId })
  .meta({ id: 'Alert' });
export type AlertResource = z.infer<typeof AlertResource>;
