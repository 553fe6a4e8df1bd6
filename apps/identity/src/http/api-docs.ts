import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { ErrorBody } from '@keyway/contracts';

export class ErrorBodyDto extends createZodDto(ErrorBody) {}

/**
 * The bearer key requirement and the error answers every management route can give (429:
 * `TOO_MANY_INVALID_KEYS`, an address that failed to authenticate too often).
 */
export function ManagementRoute(...statuses: number[]) {
  return applyDecorators(
    ApiBearerAuth(),
    ...[400, 401, 403, 429, ...statuses].map((status) =>
      ApiResponse({ status, type: ErrorBodyDto }),
    ),
  );
}
