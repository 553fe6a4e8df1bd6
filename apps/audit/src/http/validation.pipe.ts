import { type ArgumentMetadata } from '@nestjs/common';
import { createZodValidationPipe } from 'nestjs-zod';
import { type ZodError } from 'zod';

const ZodPipe = createZodValidationPipe({
  createValidationException: (error: unknown) => error as ZodError,
});

/**
 * Validates every body, query and param typed with a zod DTO. The ZodError itself is thrown so
 * that the error filter turns it into the SPEC's `VALIDATION_ERROR`. A POST without a body
 * (`POST /v1/keys/{id}/revoke`) is validated as `{}`.
 */
export class ValidationPipe extends ZodPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): unknown {
    return super.transform(metadata.type === 'body' && value === undefined ? {} : value, metadata);
  }
}
