import { Module } from '@nestjs/common';
import { EventStoreModule } from '../event-store/event-store.module';
import { KeysModule } from '../keys/keys.module';
import { MembersController } from './members.controller';
import { MembersService } from './members.service';

@Module({
  imports: [EventStoreModule, KeysModule],
  controllers: [MembersController],
  providers: [MembersService],
  exports: [MembersService],
})
export class MembersModule {}
