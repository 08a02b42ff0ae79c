#!/usr/bin/env node
// CSM mail queries on a year of mail in embedded ClickHouse (chdb): the messages table as the CSM creates it
// (apps/csm/dist, so build first), N messages spread over 365 daily partitions in 4 inserts, then p50 of each
// query shape with FINAL merging across partitions (ClickHouse's default) and per partition (what the CSM
// sets). Usage (repository root): node benchmarks/csm/queries.mjs [N, default 300000]
import { Session } from 'chdb';
import { MESSAGES_TABLE } from '../../apps/csm/dist/repositories/clickhouse-schema.js';

const N = Number(process.argv[2] ?? 300_000);
const PER_PARTITION = 'SETTINGS do_not_merge_across_partitions_select_final = 1';
const session = new Session();
session.query(MESSAGES_TABLE);
for (let batch = 0; batch < 4; batch++) {
  session.query(`INSERT INTO messages (id, node_id, received_at, direction, mail_from, rcpt_to, subject, action, score, delivery_status)
    SELECT concat('m-', toString(number)), 'node', toDateTime64('2026-01-01 00:00:00', 3, 'UTC') + toIntervalSecond(intDiv(number * 31536000, ${N})),
      'inbound', concat('s', toString(number % 1000), '@x.test'), [concat('u', toString(number % 100), '@example.test')], concat('subject ', toString(number)),
      if(number % 10 = 0, 'quarantine', 'deliver'), 1.5, 'queued'
    FROM numbers(${N}) WHERE number % 4 = ${batch} SETTINGS max_partitions_per_insert_block = 1000`);
}

function p50(sql, runs = 7) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    session.query(sql, 'JSONEachRow');
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

const lastDay = `received_at >= toDateTime64('2026-12-30 00:00:00', 3, 'UTC') AND positionCaseInsensitiveUTF8(subject, 'subject 29') > 0`;
const lastMonth = `received_at >= toDateTime64('2026-12-01 00:00:00', 3, 'UTC') AND action = 'quarantine'`;
const shapes = [
  ['one message by id', `SELECT * FROM messages FINAL WHERE id = 'm-${Math.floor(N / 2)}'`],
  ['search, last day, subject word', `SELECT id FROM messages FINAL WHERE ${lastDay} ORDER BY received_at DESC, id DESC LIMIT 100`],
  ['search, last 30 days, verdict', `SELECT id FROM messages FINAL WHERE ${lastMonth} ORDER BY received_at DESC, id DESC LIMIT 100`],
  ['search, all time, sender part', `SELECT id FROM messages FINAL WHERE positionCaseInsensitiveUTF8(mail_from, 's7@') > 0 ORDER BY received_at DESC, id DESC LIMIT 100`],
];
console.log(`${N} messages, ${session.query("SELECT count() FROM system.parts WHERE table = 'messages' AND active", 'CSV').trim()} parts`);
console.log('| query | FINAL across partitions | FINAL per partition |');
console.log('|---|---|---|');
for (const [name, sql] of shapes) console.log(`| ${name} | ${p50(sql).toFixed(0)} ms | ${p50(`${sql} ${PER_PARTITION}`).toFixed(0)} ms |`);
session.close();
