import { Module } from '@nestjs/common';
import { AuditKeysReportsRepository } from './audit-keys-reports.repository';
import { KeyActivityRepository } from './key-activity.repository';
import { KeyActivityView } from './key-activity-view';
import { KeyAddressesRepository } from './key-addresses.repository';
import { KeyReports } from './key-reports';
import { KeyUsageSeries } from './key-usage-series';
import { UsageController } from './usage.controller';
import { UsageIngest } from './usage-ingest';
import { UsageRollupsRepository } from './usage-rollups.repository';
import { UsageWindowsRepository } from './usage-windows.repository';

/** Usage: ingest of the gateway's usage windows, and the usage, activity and key report routes. */
@Module({
  controllers: [UsageController],
  providers: [
    UsageWindowsRepository,
    UsageRollupsRepository,
    KeyActivityRepository,
    KeyAddressesRepository,
    AuditKeysReportsRepository,
    UsageIngest,
    KeyUsageSeries,
    KeyActivityView,
    KeyReports,
  ],
  exports: [UsageIngest],
})
export class UsageModule {}
