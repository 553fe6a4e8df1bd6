import { createZodDto } from 'nestjs-zod';
import { type z } from 'zod';
import { AuditEventList, ExportAuditEventsQuery, ListAuditEventsQuery } from '@keyway/contracts';

// The `/v1/audit/events` schemas of @keyway/contracts as Nest DTOs (validation pipe, OpenAPI).

export class ListAuditEventsQueryDto extends createZodDto(ListAuditEventsQuery) {}
export class ExportAuditEventsQueryDto extends createZodDto(ExportAuditEventsQuery) {}
export class AuditEventListDto extends createZodDto(AuditEventList) {}

export type ListAuditEventsParams = z.output<typeof ListAuditEventsQuery>;
export type ExportAuditEventsParams = z.output<typeof ExportAuditEventsQuery>;
