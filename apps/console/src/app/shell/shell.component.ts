import { Component, inject } from '@angular/core';
import { Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { SessionService } from '../auth/session.service';

/** The frame around the signed-in pages: header with the product name, navigation and logout. */
@Component({
  selector: 'moat-shell',
  imports: [RouterLink, RouterLinkActive, RouterOutlet],
  templateUrl: './shell.component.html',
  styleUrl: './shell.component.css',
})
export class ShellComponent {
  private readonly session = inject(SessionService);
  private readonly router = inject(Router);

  protected logout(): void {
    this.session.end();
    void this.router.navigate(['/login']);
  }
}
