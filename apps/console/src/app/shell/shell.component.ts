import { Component, inject, type OnInit } from '@angular/core';
import { Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { ApiService } from '../api/api.service';
import type { Permission } from '../api/api.types';
import { IdentityService } from '../auth/identity.service';
import { SessionService } from '../auth/session.service';

/**
 * The frame around the signed-in pages: header with the product name, the navigation to the pages the account's
 * role may use (GET /api/auth/me), and logout.
 */
@Component({
  selector: 'moat-shell',
  imports: [RouterLink, RouterLinkActive, RouterOutlet],
  templateUrl: './shell.component.html',
  styleUrl: './shell.component.css',
})
export class ShellComponent implements OnInit {
  private readonly api = inject(ApiService);
  private readonly session = inject(SessionService);
  private readonly router = inject(Router);
  protected readonly identity = inject(IdentityService);

  ngOnInit(): void {
    if (!this.identity.me()) this.identity.load().subscribe({ error: () => undefined });
  }

  /** Pages other than the account's own open once a forced password change is done. */
  protected can(permission: Permission): boolean {
    return !this.identity.me()?.mustChangePassword && this.identity.can(permission);
  }

  protected logout(): void {
    const leave = () => {
      this.session.end();
      this.identity.clear();
      void this.router.navigate(['/login']);
    };
    this.api.logout().subscribe({ next: leave, error: leave });
  }
}
