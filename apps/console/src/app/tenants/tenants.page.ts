import { Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import type { Observable } from 'rxjs';
import { ApiService } from '../api/api.service';
import { REFRESH_MS, poll } from '../shared/poll';
import { runAction } from '../shared/run-action';
import { RefreshStatus } from '../shared/refresh-status';

/**
 * Tenants (F18, super admins): every tenant on the fleet with its domains, policy version and administrators; add
 * one with its first domains and their downstream, remove one (refused while it has domains or administrators).
 * Every other page shows a tenant's administrator its own tenant only.
 */
@Component({
  selector: 'moat-tenants-page',
  imports: [FormsModule, RefreshStatus],
  templateUrl: './tenants.page.html',
  styleUrl: './tenants.page.css',
})
export class TenantsPage {
  private readonly api = inject(ApiService);

  protected readonly list = poll(REFRESH_MS, () => this.api.tenants());
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly result = signal<string | null>(null);
  protected id = '';
  protected name = '';
  protected domains = '';
  protected downstream = '';

  protected add(): void {
    const id = this.id.trim();
    if (this.busy() || id === '') return;
    const domains = this.domains.split(/[\s,]+/).filter((d) => d !== '');
    this.run(this.api.addTenant({ id, name: this.name.trim() || undefined, domains, downstream: this.downstream.trim() || undefined }), `tenant ${id} added`, () => {
      this.id = '';
      this.name = '';
      this.domains = '';
      this.downstream = '';
    });
  }

  protected remove(id: string): void {
    if (this.busy()) return;
    this.run(this.api.removeTenant(id), `tenant ${id} removed`, () => undefined);
  }

  private run(request: Observable<unknown>, done: string, after: () => void): void {
    runAction({ busy: this.busy, error: this.error, result: this.result }, request, done, after);
  }
}
