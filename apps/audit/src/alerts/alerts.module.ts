import { Module } from '@nestjs/common';
import { AlertDetectors } from './alert-detectors';
import { AlertEvaluator } from './alert-evaluator';
import { AlertOutboxRepository } from './alert-outbox.repository';
import { AlertPublisher } from './alert-publisher';
import { AlertQueries } from './alert-queries';
import { AlertRecorder } from './alert-recorder';
import { AlertScheduler } from './alert-scheduler';
import { AlertsController } from './alerts.controller';
import { AlertsRepository } from './alerts.repository';
import { CreateSuppression } from './create-suppression';
import { DeleteSuppression } from './delete-suppression';
import { DetectorProgressRepository } from './detector-progress.repository';
import { KeyHistoryReader } from './key-history.reader';
import { SuppressionsController } from './suppressions.controller';
import { SuppressionsRepository } from './suppressions.repository';

/**
 * Alerts: the ingest detectors (`AlertDetectors.observe`, called by usage ingest in its
 * transaction), the timer detectors, the alert event relay, suppressions and the queries.
 */
@Module({
  controllers: [AlertsController, SuppressionsController],
  providers: [
    AlertsRepository,
    AlertOutboxRepository,
    SuppressionsRepository,
    DetectorProgressRepository,
    KeyHistoryReader,
    AlertRecorder,
    AlertDetectors,
    AlertEvaluator,
    AlertScheduler,
    AlertPublisher,
    AlertQueries,
    CreateSuppression,
    DeleteSuppression,
  ],
  exports: [AlertDetectors, AlertEvaluator, AlertPublisher],
})
export class AlertsModule {}
