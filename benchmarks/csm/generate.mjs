#!/usr/bin/env node
// Fills an event store with generated mail, straight into ClickHouse (chdb): N messages spread evenly over
// DAYS days ending now, with realistic senders (names at some 40 domains, a few of them sending most),
// recipients (5000 users at 5 domains, one to three each), subjects (common and rare words, replies, ticket numbers), verdicts
// (80% delivered), symbols with scores, attachments on 15%, time-sorted ids like the node's, and a delivery
// event for every second message. The tables must exist (a CSM started once on the store makes them); the
// store's views fill message_times and messages_hourly as the rows go in.
// Usage (repository root): node benchmarks/csm/generate.mjs <store dir> [messages, default 10000000] [days, default 35]
import { Session } from 'chdb';

const [dir, messagesArg, daysArg] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node benchmarks/csm/generate.mjs <store dir> [messages] [days]');
  process.exit(2);
}
const N = Number(messagesArg ?? 10_000_000);
const DAYS = Number(daysArg ?? 35);
const CHUNK = 1_000_000;

const list = (values) => `[${values.map((v) => `'${v}'`).join(',')}]`;
const FIRST = list('anna ben carla david emma felix gina hugo iris jonas karla leo mia nils olga paul quinn rosa sam tina ugo vera will xenia yann zoe alex bruno chloe dora erik fiona gustav hanna ivan julia kai lena marco nora oskar petra'.split(' '));
const LAST = list('smith miller meyer schulz novak rossi garcia martin dubois jansen berg larsen costa silva ferreira kowalski nagy horvat popescu ivanov weber fischer wagner becker hoffmann koch richter klein wolf schroeder'.split(' '));
const EXTERNAL = list('gmail.test outlook.test yahoo.test web.test gmx.test mail.test shop-news.test bank-secure.test invoices.test cloudmail.test fastpost.test partner-corp.test supplier.test logistics.test travel-deals.test social.test newsletter.test crm-mailer.test billing.test alerts.test hr-portal.test univ.test city.test clinic.test insurance.test telecom.test energy.test airline.test hotel.test retail.test media.test games.test crypto-offers.test lottery.test pharma-deals.test parcel-track.test docs-share.test webinar.test survey.test jobs.test'.split(' '));
const INTERNAL = list(['example.test', 'corp.example.test', 'sales.example.test', 'example-group.test', 'example.org.test']);
const WORDS = list(
  'invoice payment order shipping account password security weekly newsletter offer discount project review contract delivery reminder welcome urgent quarterly budget schedule team lunch training survey ticket support meeting agenda minutes report update release planning roadmap feedback interview candidate offer salary holiday vacation expense receipt refund return warranty subscription renewal trial license migration backup outage incident maintenance deployment server database network firewall certificate domain website campaign webinar conference event registration confirmation verification code login alert notice statement balance transfer loan mortgage insurance claim policy parcel tracking customs pickup appointment doctor pharmacy prescription results lottery winner prize bitcoin investment opportunity exclusive limited free gift voucher coupon sale clearance black friday christmas summer spring autumn winter monday friday tomorrow today deadline overdue final notice action required document shared signed scanned fax voicemail photo video kubernetes terraform grafana jenkins'.split(' '),
);
const SYMBOLS = list(['SPF_PASS', 'DKIM_VALID', 'DMARC_PASS', 'SPF_FAIL', 'DKIM_INVALID', 'RBL_SPAMHAUS', 'RBL_BARRACUDA', 'BAYES_SPAM', 'BAYES_HAM', 'URL_SUSPICIOUS', 'HTML_ONLY', 'FREEMAIL_FROM', 'SUBJECT_ALL_CAPS', 'AV_VIRUS', 'ATTACHMENT_EXECUTABLE', 'BULK_MAIL', 'FUZZY_SPAM']);
const SYMBOL_SCORES = '[-0.5, -1, -1, 2, 1.5, 4, 3, 3.5, -2, 2.5, 0.5, 0.3, 1, 20, 8, 1, 5]';
const SYMBOL_STAGES = list(['connect', 'data', 'data', 'connect', 'data', 'connect', 'connect', 'data', 'data', 'data', 'data', 'data', 'data', 'data', 'data', 'data', 'data']);
// Percent of messages each symbol fires on.
const SYMBOL_RATES = '[70, 60, 55, 8, 5, 4, 3, 12, 40, 6, 10, 25, 3, 0.3, 0.5, 15, 4]';
const ATTACHMENTS = list(['invoice.pdf', 'report.xlsx', 'photo.jpg', 'scan.zip', 'contract.docx', 'slides.pptx', 'statement.pdf', 'setup.exe']);
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const endMs = Date.now();
const startMs = endMs - DAYS * 86_400_000;
// A uniform pick from ARRAY with hash seed K; skewed (a few values most of the time) when POWER > 1.
const pick = (array, k, power = 1) => `${array}[1 + toUInt32(pow((cityHash64(number, ${k}) % 1000000) / 1000000, ${power}) * length(${array}))]`;
const chance = (k, percent) => `(cityHash64(number, ${k}) % 10000) < ${percent * 100}`;
const base32 = (value, chars) => `arrayStringConcat(arrayMap(i -> substring('${ALPHABET}', 1 + toUInt8(bitAnd(bitShiftRight(${value}, 5 * (${chars - 1} - i)), 31)), 1), range(${chars})))`;

const session = new Session(dir);
const started = performance.now();
for (let offset = 0; offset < N; offset += CHUNK) {
  const count = Math.min(CHUNK, N - offset);
  session.query(`
    INSERT INTO messages (id, node_id, tenant, received_at, direction, mail_from, rcpt_to, client_ip, client_hostname, helo, tls, tls_version,
      subject, header_from, header_to, header_message_id, action, score, symbols.name, symbols.score, symbols.detail, symbols.stage,
      attachments.name, attachments.declared_type, attachments.detected_type, attachments.size, attachments.sha256,
      delivery_status, session_ms, scan_ms, policy_version, size_bytes, smtp_reply)
    SELECT
      concat(${base32('toUInt64(ms)', 10)}, ${base32('cityHash64(number, 1)', 8)}, ${base32('cityHash64(number, 2)', 8)}) AS id,
      concat('node-', toString(number % 3)), 'default', fromUnixTimestamp64Milli(ms, 'UTC'), if(outbound, 'outbound', 'inbound'),
      if(outbound, internalUser, externalUser),
      if(outbound, [externalUser], arrayMap(i -> concat(${pick(FIRST, 'i + 10')}, '.', ${pick(LAST, 'i + 20')}, toString(cityHash64(number, i + 30) % 100), '@', ${pick(INTERNAL, 'i + 40', 2)}), range(1 + (cityHash64(number, 9) % 10 >= 7) + (cityHash64(number, 9) % 10 >= 9)))),
      concat(toString(cityHash64(number, 3) % 223 + 1), '.', toString(cityHash64(number, 4) % 256), '.', toString(cityHash64(number, 5) % 256), '.', toString(number % 256)),
      concat('mx', toString(number % 7), '.', splitByChar('@', externalUser)[2]), concat('mx.', splitByChar('@', externalUser)[2]), ${chance(6, 85)}, 'TLSv1.3',
      subject, externalUser, internalUser, concat('<', id, '@', splitByChar('@', externalUser)[2], '>'),
      action, arraySum(symbolScores), symbolNames, symbolScores, arrayMap(s -> '', symbolNames), arrayMap(i -> ${SYMBOL_STAGES}[i], symbolIndexes),
      attachmentNames, arrayMap(a -> 'application/octet-stream', attachmentNames), arrayMap(a -> 'application/octet-stream', attachmentNames),
      arrayMap(a -> cityHash64(number, 50) % 2000000, attachmentNames), arrayMap(a -> lower(hex(SHA256(toString(number)))), attachmentNames),
      multiIf(action = 'deliver' OR action = 'tag', 'queued', action = 'quarantine', 'quarantined', action = 'reject', 'rejected', 'held'),
      toUInt32(cityHash64(number, 51) % 3000), toUInt32(cityHash64(number, 52) % 800), 7, 2000 + cityHash64(number, 53) % 200000, '250 2.0.0 queued'
    FROM (
      SELECT number,
        ${startMs} + intDiv(number * ${endMs - startMs}, ${N}) AS ms,
        ${chance(7, 20)} AS outbound,
        concat(${pick(FIRST, 11, 2)}, '.', ${pick(LAST, 12, 2)}, '@', ${pick(EXTERNAL, 13, 3)}) AS externalUser,
        concat(${pick(FIRST, 14)}, '.', ${pick(LAST, 15)}, toString(cityHash64(number, 16) % 100), '@', ${pick(INTERNAL, 17, 2)}) AS internalUser,
        concat(if(${chance(18, 15)}, 'Re: ', ''), arrayStringConcat(arrayMap(i -> ${pick(WORDS, 'i + 60', 2)}, range(3 + cityHash64(number, 19) % 4)), ' '),
          if(${chance(20, 20)}, concat(' #', toString(cityHash64(number, 21) % 100000)), '')) AS subject,
        multiIf(cityHash64(number, 22) % 100 < 80, 'deliver', cityHash64(number, 22) % 100 < 87, 'tag', cityHash64(number, 22) % 100 < 93, 'quarantine', cityHash64(number, 22) % 100 < 99, 'reject', 'hold') AS action,
        arrayFilter(i -> (cityHash64(number, 100 + i) % 10000) < ${SYMBOL_RATES}[i] * 100, range(1, length(${SYMBOLS}) + 1)) AS symbolIndexes,
        arrayMap(i -> ${SYMBOLS}[i], symbolIndexes) AS symbolNames,
        arrayMap(i -> ${SYMBOL_SCORES}[i], symbolIndexes) AS symbolScores,
        if(${chance(23, 15)}, [${pick(ATTACHMENTS, 24)}], []) AS attachmentNames
      FROM numbers(${offset}, ${count})
    )
    SETTINGS max_partitions_per_insert_block = 0`);
  console.log(`${offset + count} messages, ${((performance.now() - started) / 1000).toFixed(0)} s`);
}
// Delivery events: every second message, through its id (the rows just written), one per recipient.
session.query(`
  INSERT INTO deliveries (message_id, node_id, recipient, status, downstream, response, attempts, at, tls_version)
  SELECT id, node_id, r, 'delivered', 'mx.example.test:25', '250 ok', 1, received_at + toIntervalSecond(2), 'TLSv1.3'
  FROM messages ARRAY JOIN rcpt_to AS r WHERE action = 'deliver' AND cityHash64(id) % 2 = 0
  SETTINGS max_partitions_per_insert_block = 0`);
const [messages, deliveries] = ['messages', 'deliveries'].map((t) => session.query(`SELECT count() FROM ${t}`, 'CSV').trim());
const parts = session.query("SELECT count() FROM system.parts WHERE active AND database = currentDatabase() AND table = 'messages'", 'CSV').trim();
console.log(`store ${dir}: ${messages} messages (${parts} parts), ${deliveries} deliveries, ${((performance.now() - started) / 1000).toFixed(0)} s`);
session.close();
