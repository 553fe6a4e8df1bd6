/**
 * OCSF (Open Cybersecurity Schema Framework) 1.4.0: what every event of audit's OCSF exports
 * shares. The classes and why: docs/api/audit.md "OCSF".
 */
export const OCSF_VERSION = '1.4.0';

export const OCSF_PRODUCT = { name: 'Keyway', vendor_name: 'Keyway' } as const;

export const OcsfClass = {
  ACCOUNT_CHANGE: 3001,
  ENTITY_MANAGEMENT: 3004,
  USER_ACCESS_MANAGEMENT: 3005,
  API_ACTIVITY: 6003,
} as const;
export type OcsfClass = (typeof OcsfClass)[keyof typeof OcsfClass];

export const OCSF_CLASS_NAMES: Readonly<Record<OcsfClass, string>> = {
  [OcsfClass.ACCOUNT_CHANGE]: 'Account Change',
  [OcsfClass.ENTITY_MANAGEMENT]: 'Entity Management',
  [OcsfClass.USER_ACCESS_MANAGEMENT]: 'User Access Management',
  [OcsfClass.API_ACTIVITY]: 'API Activity',
};

const CATEGORY_NAMES: Readonly<Record<number, string>> = {
  3: 'Identity & Access Management',
  6: 'Application Activity',
};

export const OcsfSeverity = { INFORMATIONAL: 1, LOW: 2, MEDIUM: 3 } as const;
export type OcsfSeverity = (typeof OcsfSeverity)[keyof typeof OcsfSeverity];
const SEVERITY_NAMES: Readonly<Record<OcsfSeverity, string>> = {
  1: 'Informational',
  2: 'Low',
  3: 'Medium',
};

/** A JSON object as OCSF events are: plain data, serialised canonically by the exporter. */
export type OcsfEvent = Record<string, unknown>;

/** The classification attributes: class, category, activity, `type_uid`, severity. */
export function classification(
  classUid: OcsfClass,
  activityId: number,
  activityName: string,
  severityId: OcsfSeverity,
): OcsfEvent {
  const categoryUid = Math.floor(classUid / 1000);
  const className = OCSF_CLASS_NAMES[classUid];
  return {
    class_uid: classUid,
    class_name: className,
    category_uid: categoryUid,
    category_name: CATEGORY_NAMES[categoryUid],
    activity_id: activityId,
    activity_name: activityName,
    type_uid: classUid * 100 + activityId,
    type_name: `${className}: ${activityName}`,
    severity_id: severityId,
    severity: SEVERITY_NAMES[severityId],
  };
}

/** Drops `undefined` and `null` members, which OCSF leaves out rather than writes as null. */
export function compact(object: Record<string, unknown>): OcsfEvent {
  const kept: OcsfEvent = {};
  for (const name in object) {
    const value = object[name];
    if (value !== undefined && value !== null) kept[name] = value;
  }
  return kept;
}
