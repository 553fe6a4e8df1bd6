import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { ERROR_STATUS } from './error-codes';

export const ErrorBodySchema = z
  .object({
    code: z.enum(
      Object.keys(ERROR_STATUS) as [keyof typeof ERROR_STATUS, ...(keyof typeof ERROR_STATUS)[]],
    ),
    message: z.string(),
    details: z.record(z.string(), z.unknown()),
    requestId: z.string(),
  })
  .meta({ id: 'Error', description: 'Every error. `code` is stable: see docs/api/errors.md.' });
export class ErrorBodyDto extends createZodDto(ErrorBodySchema) {}

/** The bearer key requirement and the error answers every management route can give. */
export function ManagementRoute(...statuses: number[]) {
  return applyDecorators(
    ApiBearerAuth(),
    ...[400, 401, 403, ...statuses].map((status) => ApiResponse({ status, type: ErrorBodyDto })),
  );
}
