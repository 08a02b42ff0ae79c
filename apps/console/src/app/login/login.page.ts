import { Component, inject, input, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router } from '@angular/router';
import { ApiService } from '../api/api.service';
import { loginErrorMessage, needsTotpCode } from '../auth/login-error';
import { SessionService } from '../auth/session.service';

/** Administrator login: username and password for a bearer token. */
@Component({
  selector: 'moat-login-page',
  imports: [FormsModule],
  templateUrl: './login.page.html',
  styleUrl: './login.page.css',
})
export class LoginPage {
  private readonly api = inject(ApiService);
  private readonly session = inject(SessionService);
  private readonly router = inject(Router);

  /** Query parameters: set by the auth interceptor after a 401, and by the guard to come back afterwards. */
  readonly expired = input<string>();
  readonly returnUrl = input<string>();

  protected readonly username = signal('');
  protected readonly password = signal('');
  protected readonly totp = signal('');
  /** Shown once the CSM asked for it: the account has a TOTP second factor. */
  protected readonly askTotp = signal(false);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  protected submit(): void {
    if (this.busy()) return;
    this.busy.set(true);
    this.error.set(null);
    const totp = this.totp().trim();
    this.api.login({ username: this.username().trim(), password: this.password(), ...(totp ? { totp } : {}) }).subscribe({
      next: (login) => {
        this.session.start(login.token);
        void this.router.navigateByUrl(this.safeReturnUrl());
      },
      error: (err: unknown) => {
        if (needsTotpCode(err)) this.askTotp.set(true);
        else this.password.set('');
        this.totp.set('');
        this.error.set(loginErrorMessage(err));
        this.busy.set(false);
      },
    });
  }

  /** Only paths inside the console, never another origin. */
  private safeReturnUrl(): string {
    const url = this.returnUrl();
    return url?.startsWith('/') && !url.startsWith('//') && !url.startsWith('/login') ? url : '/dashboard';
  }
}
