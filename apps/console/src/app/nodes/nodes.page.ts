import { DatePipe } from '@angular/common';
import { Component, computed, inject } from '@angular/core';
import { ApiService } from '../api/api.service';
import { formatBytes } from '../shared/format-bytes';
import { RefreshStatus } from '../shared/refresh-status';
import { REFRESH_MS, poll } from '../shared/poll';
import { relativeTime } from '../shared/relative-time';
import { engineVersions } from './engine-versions';

/**
 * The scan nodes as the CSM sees them (policy version, antivirus engine and signature versions), with the current
 * policy version and the health of NATS and ClickHouse.
 */
@Component({
  selector: 'moat-nodes-page',
  imports: [DatePipe, RefreshStatus],
  templateUrl: './nodes.page.html',
  styleUrl: './nodes.page.css',
})
export class NodesPage {
  private readonly api = inject(ApiService);

  protected readonly status = poll(REFRESH_MS, () => this.api.status());

  protected readonly nodes = computed(() =>
    [...(this.status.data()?.nodes ?? [])].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id)),
  );
  protected readonly upCount = computed(() => this.nodes().filter((n) => n.up).length);

  protected heartbeat(lastHeartbeatMs: number): string {
    return relativeTime(lastHeartbeatMs, this.status.updatedAtMs() ?? Date.now());
  }

  protected readonly engines = engineVersions;
  protected readonly formatBytes = formatBytes;

  /** host:port of a node's metrics URL, short enough for the table; the link and its title keep the whole URL. */
  protected metricsAddress(url: string): string {
    return URL.canParse(url) ? new URL(url).host : url;
  }

  protected isoTime(ms: number): string | null {
    return ms > 0 ? new Date(ms).toISOString() : null;
  }
}
