import { createZodDto } from 'nestjs-zod';
import { type z } from 'zod';
import {
  AuditKeyPathParams,
  KeyActivityQuery,
  KeyActivityResponse,
  KeyReport,
  KeyReportQuery,
  KeyUsageQuery,
  KeyUsageResponse,
} from '@keyway/contracts';

// The usage routes' schemas of @keyway/contracts as Nest DTOs (validation pipe).

export type KeyUsageFilter = z.output<typeof KeyUsageQuery>;
export type KeyActivityFilter = z.output<typeof KeyActivityQuery>;
export type KeyReportFilter = z.output<typeof KeyReportQuery>;

export class AuditKeyPathDto extends createZodDto(AuditKeyPathParams) {}
export class KeyUsageQueryDto extends createZodDto(KeyUsageQuery) {}
export class KeyActivityQueryDto extends createZodDto(KeyActivityQuery) {}
export class KeyReportQueryDto extends createZodDto(KeyReportQuery) {}
export class KeyUsageDto extends createZodDto(KeyUsageResponse) {}
export class KeyActivityDto extends createZodDto(KeyActivityResponse) {}
export class KeyReportDto extends createZodDto(KeyReport) {}
