import { Module } from '@nestjs/common';
import { EventStoreModule } from '../event-store/event-store.module';
import { KeysModule } from '../keys/keys.module';
import { Bootstrap } from './bootstrap';

@Module({ imports: [EventStoreModule, KeysModule], providers: [Bootstrap], exports: [Bootstrap] })
export class WorkspacesModule {}
