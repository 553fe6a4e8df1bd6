import { type PipeTransform } from '@nestjs/common';
import { type z } from 'zod';

/** Parses a body with a zod schema; a failure becomes a 400 VALIDATION_ERROR via the filter. */
export class ZodBody<T extends z.ZodType> implements PipeTransform<unknown, z.infer<T>> {
  constructor(private readonly schema: T) {}

  transform(value: unknown): z.infer<T> {
    return this.schema.parse(value ?? {});
  }
}
