import { Component, inject, signal, type OnInit } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router } from '@angular/router';
import { describeHttpError, serverProblems } from '../api/http-error';
import { ApiService } from '../api/api.service';
import { IdentityService } from '../auth/identity.service';

/**
 * The signed-in account: its role and tenant, and the change of its password. A generated password must be
 * changed here before any other page opens (the CSM refuses everything else meanwhile).
 */
@Component({
  selector: 'moat-account-page',
  imports: [FormsModule],
  templateUrl: './account.page.html',
})
export class AccountPage implements OnInit {
  private readonly api = inject(ApiService);
  private readonly router = inject(Router);
  protected readonly identity = inject(IdentityService);

  protected readonly currentPassword = signal('');
  protected readonly password = signal('');
  protected readonly repeat = signal('');
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly problems = signal<string[]>([]);
  protected readonly changed = signal(false);
  /** The otpauth:// URI while a second factor is being set up. */
  protected readonly totpUri = signal<string | null>(null);
  protected readonly totpCode = signal('');

  ngOnInit(): void {
    if (!this.identity.me()) this.identity.load().subscribe({ error: (err: unknown) => this.error.set(describeHttpError(err)) });
  }

  protected setupTotp(): void {
    if (this.busy()) return;
    this.busy.set(true);
    this.error.set(null);
    this.api.totpSetup().subscribe({
      next: ({ otpauthUri }) => {
        this.totpUri.set(otpauthUri);
        this.busy.set(false);
      },
      error: (err: unknown) => this.fail(err),
    });
  }

  protected confirmTotp(): void {
    if (this.busy()) return;
    this.busy.set(true);
    this.error.set(null);
    this.api.totpConfirm(this.totpCode().trim()).subscribe({
      next: () => {
        this.totpUri.set(null);
        this.totpCode.set('');
        this.identity.load().subscribe(() => this.busy.set(false));
      },
      error: (err: unknown) => this.fail(err),
    });
  }

  protected submit(): void {
    if (this.busy()) return;
    this.error.set(null);
    this.problems.set([]);
    if (this.password() !== this.repeat()) {
      this.changed.set(false);
      this.error.set('The two new passwords differ.');
      return;
    }
    this.changed.set(false);
    this.busy.set(true);
    const forced = this.identity.me()?.mustChangePassword ?? false;
    this.api.changePassword(this.currentPassword(), this.password()).subscribe({
      next: () => {
        this.currentPassword.set('');
        this.password.set('');
        this.repeat.set('');
        this.changed.set(true);
        this.identity.load().subscribe(() => {
          this.busy.set(false);
          if (forced) void this.router.navigate(['/dashboard']);
        });
      },
      error: (err: unknown) => this.fail(err),
    });
  }

  private fail(err: unknown): void {
    this.busy.set(false);
    this.error.set(describeHttpError(err));
    this.problems.set(serverProblems(err));
  }
}
