import { createZodDto } from 'nestjs-zod';
import { type z } from 'zod';
import {
  AlertList,
  AlertResource,
  CreateSuppressionRequest,
  ListAlertsQuery,
  ListSuppressionsQuery,
  SuppressionList,
  SuppressionResource,
} from '@keyway/contracts';

// The `/v1/alerts` schemas of @keyway/contracts as Nest DTOs.

export type ListAlertsFilter = z.output<typeof ListAlertsQuery>;
export type ListSuppressionsFilter = z.output<typeof ListSuppressionsQuery>;
export type CreateSuppressionCommand = z.output<typeof CreateSuppressionRequest>;

export class ListAlertsQueryDto extends createZodDto(ListAlertsQuery) {}
export class AlertResourceDto extends createZodDto(AlertResource) {}
export class AlertListDto extends createZodDto(AlertList) {}
export class CreateSuppressionDto extends createZodDto(CreateSuppressionRequest) {}
export class ListSuppressionsQueryDto extends createZodDto(ListSuppressionsQuery) {}
export class SuppressionResourceDto extends createZodDto(SuppressionResource) {}
export class SuppressionListDto extends createZodDto(SuppressionList) {}
