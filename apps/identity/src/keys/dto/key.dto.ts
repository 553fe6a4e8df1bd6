import { createZodDto } from 'nestjs-zod';
import { type z } from 'zod';
import {
  CreateKeyRequest,
  KeyEventList,
  KeyList,
  KeyResource,
  KeyWithSecret,
  ListKeysQuery,
  RevokeKeyRequest,
  RotateKeyRequest,
  UpdateKeyRequest,
} from '@keyway/contracts';

// The `/v1/keys` schemas of @keyway/contracts as Nest DTOs (validation pipe and OpenAPI).

export type CreateKeyCommand = z.output<typeof CreateKeyRequest>;
export type UpdateKeyCommand = z.output<typeof UpdateKeyRequest>;
export type ListKeysFilter = z.output<typeof ListKeysQuery>;

export class CreateKeyDto extends createZodDto(CreateKeyRequest) {}
export class UpdateKeyDto extends createZodDto(UpdateKeyRequest) {}
export class RotateKeyDto extends createZodDto(RotateKeyRequest) {}
export class RevokeKeyDto extends createZodDto(RevokeKeyRequest) {}
export class ListKeysQueryDto extends createZodDto(ListKeysQuery) {}
export class KeyResourceDto extends createZodDto(KeyResource) {}
export class KeyWithSecretDto extends createZodDto(KeyWithSecret) {}
export class KeyListDto extends createZodDto(KeyList) {}
export class KeyEventListDto extends createZodDto(KeyEventList) {}
