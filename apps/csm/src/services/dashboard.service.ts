import { Injectable } from '@nestjs/common';
import {
  DASHBOARD_BUCKETS,
  EventStoreRepository,
  MAIL_CATEGORIES,
  type BucketCount,
  type DashboardBucket,
  type DashboardTop,
  type DirectionName,
  type MailCategory,
  type TopRow,
} from '../repositories/event-store.repository.js';
import { InvalidInputError } from '../util/errors.js';
import { parseTextParam, parseTimeParam } from '../util/time-param.js';
import { scopedTenant } from '../util/tenant-scope.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const BUCKET_MS: Record<DashboardBucket, number> = { hour: HOUR_MS, day: DAY_MS };
/** Buckets a range may span: an hourly chart of 41 days, a daily one of 2.7 years. */
export const MAX_BUCKETS = 1000;
/** Without a bucket: hours up to this range, days beyond. */
const HOURLY_UP_TO_MS = 2 * DAY_MS;
/** Without from: the last day. */
const DEFAULT_RANGE_MS = DAY_MS;

export interface CategoryCount {
  direction: DirectionName;
  category: MailCategory;
  count: number;
}

/** `GET /api/dashboard`: the counts of a time range by bucket, direction and category, and its tops. */
export interface DashboardView {
  fromMs: number;
  toMs: number;
  bucket: DashboardBucket;
  /** The start (UTC) of every bucket the range touches, oldest first, with messages or not. */
  bucketStarts: number[];
  /** Messages per bucket, direction and category; buckets without messages are left out. */
  buckets: BucketCount[];
  /** Per direction and category over the range: inbound and outbound always (zeros too), unspecified when any. */
  totals: CategoryCount[];
  total: number;
  tops: Record<DashboardTop, TopRow[]>;
}

/** The dashboard's aggregates (F13), counted by ClickHouse. */
@Injectable()
export class DashboardService {
  constructor(private readonly store: EventStoreRepository) {}

  async dashboard(query: Record<string, unknown>, nowMs = Date.now()): Promise<DashboardView> {
    const problems: string[] = [];
    const read = <T>(parse: () => T): T | undefined => {
      try {
        return parse();
      } catch (err) {
        if (!(err instanceof InvalidInputError)) throw err;
        problems.push(...err.problems);
        return undefined;
      }
    };
    const toMs = read(() => parseTimeParam('to', query['to'])) ?? nowMs;
    const fromMs = read(() => parseTimeParam('from', query['from'])) ?? Math.max(0, toMs - DEFAULT_RANGE_MS);
    const bucketText = read(() => parseTextParam('bucket', query['bucket'])) ?? '';
    if (fromMs >= toMs) problems.push('from: must be before to');
    if (bucketText && !isBucket(bucketText)) problems.push(`bucket: must be one of ${DASHBOARD_BUCKETS.join(', ')}`);
    const bucket: DashboardBucket = isBucket(bucketText) ? bucketText : toMs - fromMs <= HOURLY_UP_TO_MS ? 'hour' : 'day';
    const span = Math.ceil((toMs - fromMs) / BUCKET_MS[bucket]);
    if (!problems.length && span > MAX_BUCKETS) problems.push(`bucket: ${bucket} over this range makes ${span} buckets, at most ${MAX_BUCKETS}: choose a shorter range or day buckets`);
    if (problems.length) throw new InvalidInputError('invalid dashboard query', problems);

    const counts = await this.store.dashboard({ fromMs, toMs, bucket, tenant: scopedTenant() });
    const totals = new Map<string, CategoryCount>();
    const directions: DirectionName[] = ['inbound', 'outbound'];
    for (const direction of directions) for (const category of MAIL_CATEGORIES) totals.set(`${direction} ${category}`, { direction, category, count: 0 });
    for (const b of counts.buckets) {
      const key = `${b.direction} ${b.category}`;
      const total = totals.get(key) ?? { direction: b.direction, category: b.category, count: 0 };
      totals.set(key, { ...total, count: total.count + b.count });
    }
    const all = [...totals.values()];
    return {
      fromMs,
      toMs,
      bucket,
      bucketStarts: bucketStarts(fromMs, toMs, bucket),
      buckets: counts.buckets,
      totals: all,
      total: all.reduce((sum, t) => sum + t.count, 0),
      tops: counts.tops,
    };
  }
}

/** Starts (UTC) of the buckets from the one holding fromMs to the one holding the last ms before toMs. */
export function bucketStarts(fromMs: number, toMs: number, bucket: DashboardBucket): number[] {
  const size = BUCKET_MS[bucket];
  const starts: number[] = [];
  for (let start = Math.floor(fromMs / size) * size; start < toMs; start += size) starts.push(start);
  return starts;
}

function isBucket(value: string): value is DashboardBucket {
  return (DASHBOARD_BUCKETS as readonly string[]).includes(value);
}
