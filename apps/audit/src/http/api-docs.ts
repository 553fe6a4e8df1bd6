import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { ErrorBody } from '@keyway/contracts';

export class ErrorBodyDto extends createZodDto(ErrorBody) {}

/**
 * The bearer key requirement and the error answers every audit route can give: 400 bad input,
 * 401/403 from the gateway's verdict, 429 (`RATE_LIMITED`, `TOO_MANY_INVALID_KEYS`) and 503 when
 * the gateway cannot give a verdict (audit fails closed).
 */
export function AuditRoute(...statuses: number[]) {
  return applyDecorators(
    ApiBearerAuth(),
    ...[400, 401, 403, 429, 503, ...statuses]
      .sort((a, b) => a - b)
      .map((status) => ApiResponse({ status, type: ErrorBodyDto })),
  );
}
