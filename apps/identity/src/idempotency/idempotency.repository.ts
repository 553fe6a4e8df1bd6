import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { PEPPER } from '../pepper';

export type Claim =
  | { outcome: 'claimed' }
  | { outcome: 'replay'; statusCode: number; body: unknown }
  | { outcome: 'in-progress' }
  | { outcome: 'mismatch' };

/** After this long an unfinished claim is taken to be from a crashed request and can be retaken. */
const ABANDONED_AFTER = '60 seconds';
/** Records older than this are forgotten. */
export const RETENTION = '24 hours';

/**
 * Stored responses of POST requests made with an `Idempotency-Key`. A response can hold a new
 * key's secret, so it is stored encrypted (AES-256-GCM) under a key derived from the pepper,
 * the caller's key id and the Idempotency-Key itself: the row alone reveals nothing.
 */
@Injectable()
export class IdempotencyRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PEPPER) private readonly pepper: string,
  ) {}

  async claim(principalKeyId: string, idempotencyKey: string, requestHash: string): Promise<Claim> {
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO idempotency_records (principal_key_id, idempotency_key, request_hash)
       VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1`,
      [principalKeyId, idempotencyKey, requestHash],
    );
    if (inserted.length === 1) return { outcome: 'claimed' };
    const [row] = (await this.dataSource.query(
      `SELECT request_hash, status_code, response,
              created_at < clock_timestamp() - interval '${RETENTION}' AS expired,
              created_at < clock_timestamp() - interval '${ABANDONED_AFTER}' AS abandoned
         FROM idempotency_records WHERE principal_key_id = $1 AND idempotency_key = $2`,
      [principalKeyId, idempotencyKey],
    )) as {
      request_hash: string;
      status_code: number | null;
      response: string | null;
      expired: boolean;
      abandoned: boolean;
    }[];
    if (row === undefined) return this.claim(principalKeyId, idempotencyKey, requestHash);
    if (row.expired || (row.status_code === null && row.abandoned)) {
      const retaken: unknown[] = await this.dataSource.query(
        `UPDATE idempotency_records SET request_hash = $3, status_code = NULL, response = NULL,
                created_at = clock_timestamp()
          WHERE principal_key_id = $1 AND idempotency_key = $2 AND request_hash = $4 RETURNING 1`,
        [principalKeyId, idempotencyKey, requestHash, row.request_hash],
      );
      if (retaken.length === 1) return { outcome: 'claimed' };
    }
    if (row.request_hash !== requestHash) return { outcome: 'mismatch' };
    if (row.status_code === null || row.response === null) return { outcome: 'in-progress' };
    return {
      outcome: 'replay',
      statusCode: row.status_code,
      body: JSON.parse(this.decrypt(principalKeyId, idempotencyKey, row.response)) as unknown,
    };
  }

  async complete(
    principalKeyId: string,
    idempotencyKey: string,
    statusCode: number,
    body: unknown,
  ): Promise<void> {
    const response = this.encrypt(principalKeyId, idempotencyKey, JSON.stringify(body ?? null));
    await this.dataSource.query(
      `UPDATE idempotency_records SET status_code = $3, response = $4
        WHERE principal_key_id = $1 AND idempotency_key = $2`,
      [principalKeyId, idempotencyKey, statusCode, response],
    );
  }

  /** A failed request keeps no record: retrying it runs it again. */
  async release(principalKeyId: string, idempotencyKey: string): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM idempotency_records WHERE principal_key_id = $1 AND idempotency_key = $2 AND status_code IS NULL`,
      [principalKeyId, idempotencyKey],
    );
  }

  async deleteExpired(): Promise<number> {
    const [, count] = (await this.dataSource.query(
      `DELETE FROM idempotency_records WHERE created_at < clock_timestamp() - interval '${RETENTION}'`,
    )) as [unknown, number];
    return count;
  }

  private cipherKey(principalKeyId: string, idempotencyKey: string): Buffer {
    return createHmac('sha256', this.pepper)
      .update(`idempotency\0${principalKeyId}\0${idempotencyKey}`)
      .digest();
  }

  private encrypt(principalKeyId: string, idempotencyKey: string, plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv(
      'aes-256-gcm',
      this.cipherKey(principalKeyId, idempotencyKey),
      iv,
    );
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  private decrypt(principalKeyId: string, idempotencyKey: string, stored: string): string {
    const raw = Buffer.from(stored, 'base64');
    const decipher = createDecipheriv(
      'aes-256-gcm',
      this.cipherKey(principalKeyId, idempotencyKey),
      raw.subarray(0, 12),
    );
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}
