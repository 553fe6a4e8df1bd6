import { Module } from '@nestjs/common';
import { AUDIT_CONFIG, type AuditConfig } from '../config';
import { CHECKPOINT_KEYS, checkpointKeys } from './checkpoint-keys';
import { CheckpointPublisher } from './checkpoint-publisher';
import { CheckpointQueries } from './checkpoint-queries';
import { CheckpointScheduler } from './checkpoint-scheduler';
import { CheckpointWriter } from './checkpoint-writer';
import { CheckpointsRepository } from './checkpoints.repository';
import { IntegrityCheck } from './integrity-check';
import { IntegrityController } from './integrity.controller';
import { RetentionPruner } from './retention-pruner';
import { RetentionRepository } from './retention.repository';
import { RetentionService } from './retention.service';

/** Signed checkpoints, integrity verification and retention of the chained trail. */
@Module({
  controllers: [IntegrityController],
  providers: [
    {
      provide: CHECKPOINT_KEYS,
      inject: [AUDIT_CONFIG],
      useFactory: (c: AuditConfig) => checkpointKeys(c),
    },
    CheckpointsRepository,
    RetentionRepository,
    CheckpointWriter,
    CheckpointPublisher,
    CheckpointScheduler,
    CheckpointQueries,
    IntegrityCheck,
    RetentionService,
    RetentionPruner,
  ],
  exports: [CheckpointScheduler, RetentionPruner, CHECKPOINT_KEYS],
})
export class IntegrityModule {}
