import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import {
  type CheckpointList,
  type CheckpointResource,
  type ListCheckpointsQuery,
  type PublicKeyList,
} from '@keyway/contracts';
import { CHECKPOINT_KEYS, type CheckpointKeys } from './checkpoint-keys';
import { CheckpointsRepository, type StoredCheckpoint } from './checkpoints.repository';
import { IntegrityError } from './integrity.errors';

const toResource = ({ eventId: _eventId, ...resource }: StoredCheckpoint): CheckpointResource =>
  resource;

/** A workspace's checkpoints and the keys that verify them. */
@Injectable()
export class CheckpointQueries {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly checkpoints: CheckpointsRepository,
    @Inject(CHECKPOINT_KEYS) private readonly keys: CheckpointKeys,
  ) {}

  async latest(workspaceId: string): Promise<CheckpointResource> {
    const latest = await this.checkpoints.latest(this.dataSource.manager, workspaceId);
    if (latest === null) throw IntegrityError.checkpointNotFound();
    return toResource(latest);
  }

  async list(workspaceId: string, query: ListCheckpointsQuery): Promise<CheckpointList> {
    const page = await this.checkpoints.page(
      this.dataSource.manager,
      workspaceId,
      query.limit + 1,
      query.cursor === undefined ? null : Number(query.cursor),
    );
    const data = page.slice(0, query.limit).map(toResource);
    const last = data[data.length - 1];
    return {
      data,
      nextCursor: page.length > query.limit && last ? String(last.sequence) : null,
    };
  }

  publicKeys(): PublicKeyList {
    const current = this.keys.signer.verifier;
    return {
      current: current.vkey,
      data: this.keys.verifiers.map((key) => ({
        name: key.name,
        keyId: key.keyId,
        vkey: key.vkey,
        current: key === current,
      })),
    };
  }
}
