import { createZodDto } from 'nestjs-zod';
import {
  CheckpointList,
  CheckpointResource,
  IntegrityReport,
  ListCheckpointsQuery,
  PublicKeyList,
  PutRetentionRequest,
  RetentionResource,
} from '@keyway/contracts';

export class ListCheckpointsQueryDto extends createZodDto(ListCheckpointsQuery) {}
export class CheckpointDto extends createZodDto(CheckpointResource) {}
export class CheckpointListDto extends createZodDto(CheckpointList) {}
export class PublicKeyListDto extends createZodDto(PublicKeyList) {}
export class IntegrityReportDto extends createZodDto(IntegrityReport) {}
export class RetentionDto extends createZodDto(RetentionResource) {}
export class PutRetentionDto extends createZodDto(PutRetentionRequest) {}
