import { Readable } from 'node:stream';
import { type PoolClient } from 'pg';
import QueryStream from 'pg-query-stream';
import { type SqlQuery } from '../trail-filter';
import { type ExportEncoder } from './export-encoders';

/** Rows fetched from the cursor per round trip, and rows encoded per chunk written. */
const FETCH_ROWS = 1_000;
const ENCODE_ROWS = 250;

/** The encoder's bytes for the rows, a few hundred rows per chunk. */
export async function* encodedChunks<TRow>(
  rows: AsyncIterable<TRow>,
  encoder: ExportEncoder<TRow>,
  batchRows = ENCODE_ROWS,
): AsyncGenerator<string> {
  if (encoder.head !== '') yield encoder.head;
  let batch: TRow[] = [];
  for await (const row of rows) {
    batch.push(row);
    if (batch.length >= batchRows) {
      yield encoder.encode(batch);
      batch = [];
    }
  }
  if (batch.length > 0) yield encoder.encode(batch);
}

/**
 * Streams a query's rows through an encoder, in constant memory: rows come from a server-side
 * cursor (pg-query-stream) only as fast as the client reads the response. `client` has begun the
 * export's read-only transaction and is the stream's from now on: committed and released at the
 * end; when the client goes away (the response is destroyed), the cursor is closed and the
 * connection dropped, which ends the query.
 */
export function exportStream<TRow>(
  client: PoolClient,
  query: SqlQuery,
  encoder: ExportEncoder<TRow>,
): Readable {
  const rows = client.query(
    new QueryStream(query.text, query.values, { batchSize: FETCH_ROWS, highWaterMark: FETCH_ROWS }),
  );
  async function* body(): AsyncGenerator<string> {
    let completed = false;
    try {
      yield* encodedChunks(rows as AsyncIterable<TRow>, encoder);
      await client.query('COMMIT');
      completed = true;
    } finally {
      if (!completed) rows.destroy();
      client.release(!completed);
    }
  }
  return Readable.from(body(), { objectMode: false, highWaterMark: 64 * 1024 });
}
