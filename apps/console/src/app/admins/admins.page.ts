import { DatePipe } from '@angular/common';
import { Component, computed, inject, signal, type OnInit } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { ApiService } from '../api/api.service';
import { ROLES, type Admin, type Role } from '../api/api.types';
import { describeHttpError, serverProblems } from '../api/http-error';
import { IdentityService } from '../auth/identity.service';

/** The bootstrap super admin, which the CSM keeps (it is the local CLI token's identity). */
const BOOTSTRAP_ADMIN = 'admin';

/**
 * Administrators: the list (a tenant admin and an auditor see their tenant's), and for super and tenant admins
 * adding one with a role (with a generated password shown once when none is given) and removing one.
 */
@Component({
  selector: 'moat-admins-page',
  imports: [DatePipe, FormsModule],
  templateUrl: './admins.page.html',
})
export class AdminsPage implements OnInit {
  private readonly api = inject(ApiService);
  protected readonly identity = inject(IdentityService);
  /** A tenant admin cannot make or manage super admins. */
  protected readonly roles = computed<readonly Role[]>(() => (this.identity.me()?.role === 'super-admin' ? ROLES : ROLES.filter((r) => r !== 'super-admin')));

  protected readonly admins = signal<Admin[]>([]);
  protected readonly username = signal('');
  protected readonly role = signal<Role>('auditor');
  protected readonly password = signal('');
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly problems = signal<string[]>([]);
  /** The account just added and its generated password, shown once. */
  protected readonly created = signal<{ username: string; password?: string } | null>(null);

  ngOnInit(): void {
    this.refresh();
  }

  protected canWrite(): boolean {
    return this.identity.can('admins:write');
  }

  protected removable(admin: Admin): boolean {
    const me = this.identity.me();
    return this.canWrite() && admin.username !== BOOTSTRAP_ADMIN && admin.username !== me?.username && this.roles().includes(admin.role);
  }

  protected add(): void {
    if (this.busy()) return;
    this.start();
    const password = this.password();
    this.api.addAdmin({ username: this.username().trim(), role: this.role(), ...(password ? { password } : {}) }).subscribe({
      next: (result) => {
        this.created.set({ username: result.admin.username, password: result.password });
        this.username.set('');
        this.password.set('');
        this.refresh();
      },
      error: (err: unknown) => this.fail(err),
    });
  }

  protected remove(admin: Admin): void {
    if (this.busy() || !confirm(`Remove administrator ${admin.username}? Their sessions end now.`)) return;
    this.start();
    this.api.removeAdmin(admin.username).subscribe({ next: () => this.refresh(), error: (err: unknown) => this.fail(err) });
  }

  private refresh(): void {
    this.api.admins().subscribe({
      next: ({ admins }) => {
        this.admins.set(admins);
        this.busy.set(false);
      },
      error: (err: unknown) => this.fail(err),
    });
  }

  private start(): void {
    this.busy.set(true);
    this.error.set(null);
    this.problems.set([]);
    this.created.set(null);
  }

  private fail(err: unknown): void {
    this.busy.set(false);
    this.error.set(describeHttpError(err));
    this.problems.set(serverProblems(err));
  }
}
