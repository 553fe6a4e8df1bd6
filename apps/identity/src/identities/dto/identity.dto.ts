import { createZodDto } from 'nestjs-zod';
import { type z } from 'zod';
import {
  IdentityList,
  IdentityPathParams,
  IdentityResource,
  ListIdentitiesQuery,
  PutIdentityRequest,
} from '@keyway/contracts';

// The `/v1/identities` schemas of @keyway/contracts as Nest DTOs (validation pipe and OpenAPI).

export type PutIdentityCommand = z.output<typeof PutIdentityRequest>;
export type ListIdentitiesFilter = z.output<typeof ListIdentitiesQuery>;

export class PutIdentityDto extends createZodDto(PutIdentityRequest) {}
export class IdentityPathParamsDto extends createZodDto(IdentityPathParams) {}
export class ListIdentitiesQueryDto extends createZodDto(ListIdentitiesQuery) {}
export class IdentityDto extends createZodDto(IdentityResource) {}
export class IdentityListDto extends createZodDto(IdentityList) {}
