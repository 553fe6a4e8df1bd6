// Preloaded into a service by the benchmarks (`node --require bench/pg-round-trips.cjs`): counts
// its Postgres round trips (each `pg` Client#query is one), split into those of requests and
// those of background work (outbox relay, expiry scheduler), by statement. On SIGUSR2 it writes
// the counts so far to PG_ROUND_TRIPS_FILE. Measurement only: it changes no query.
'use strict';
const { writeFileSync } = require('node:fs');
const { Client } = require('pg');

/** Statements only background work sends; a transaction holding one is background. */
const BACKGROUND =
  /pg_try_advisory_xact_lock|FROM outbox\s+WHERE published_at IS NULL|UPDATE outbox SET published_at|DELETE FROM outbox|DELETE FROM idempotency_records WHERE created_at|^LISTEN|expires_at <= \$1|expires_at <= \$2/;
const counts = { request: 0, background: 0, statements: {} };
const open = new WeakMap(); // client -> statements of its open transaction

const shape = (text) => text.replace(/\s+/g, ' ').trim().slice(0, 90);
function add(statements) {
  const kind = statements.some((text) => BACKGROUND.test(text)) ? 'background' : 'request';
  counts[kind] += statements.length;
  if (kind !== 'request') return;
  for (const text of statements) {
    const key = shape(text);
    counts.statements[key] = (counts.statements[key] ?? 0) + 1;
  }
}

const query = Client.prototype.query;
Client.prototype.query = function (config, ...rest) {
  const text = typeof config === 'string' ? config : (config?.text ?? '');
  if (/^\s*(BEGIN|START TRANSACTION)/i.test(text)) open.set(this, [text]);
  else if (open.has(this)) {
    open.get(this).push(text);
    if (/^\s*(COMMIT|ROLLBACK)\s*$/i.test(text)) {
      add(open.get(this));
      open.delete(this);
    }
  } else add([text]);
  return query.call(this, config, ...rest);
};

process.on('SIGUSR2', () => {
  const file = process.env.PG_ROUND_TRIPS_FILE;
  if (file) writeFileSync(file, JSON.stringify(counts));
});
