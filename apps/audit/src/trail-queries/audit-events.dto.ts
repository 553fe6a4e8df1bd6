import { createZodDto } from 'nestjs-zod';
import { type z } from 'zod';
import { ExportAuditEventsQuery, ListAuditEventsQuery } from '@keyway/contracts';

// The `/v1/audit/events` schemas of @keyway/contracts as Nest DTOs (validation pipe).

export class ListAuditEventsQueryDto extends createZodDto(ListAuditEventsQuery) {}
export class ExportAuditEventsQueryDto extends createZodDto(ExportAuditEventsQuery) {}

export type ListAuditEventsParams = z.output<typeof ListAuditEventsQuery>;
export type ExportAuditEventsParams = z.output<typeof ExportAuditEventsQuery>;
