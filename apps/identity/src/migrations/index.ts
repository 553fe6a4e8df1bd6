import { EventStore1732320000000 } from './1732320000000-event-store';
import { ReadModels1732320000001 } from './1732320000001-read-models';
import { Management1732320000002 } from './1732320000002-management';
import { Identities1732320000003 } from './1732320000003-identities';
import { KeyExpiring1732320000004 } from './1732320000004-key-expiring';

/** Identity's migrations, in order. */
export const IDENTITY_MIGRATIONS = [
  EventStore1732320000000,
  ReadModels1732320000001,
  Management1732320000002,
  Identities1732320000003,
  KeyExpiring1732320000004,
];
