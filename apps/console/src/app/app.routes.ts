import type { Routes } from '@angular/router';
import { AuditPage } from './audit/audit.page';
import { authGuard } from './auth/auth.guard';
import { DashboardPage } from './dashboard/dashboard.page';
import { LoginPage } from './login/login.page';
import { MailPage } from './mail/mail.page';
import { MessagePage } from './mail/message.page';
import { NodesPage } from './nodes/nodes.page';
import { ShellComponent } from './shell/shell.component';

export const routes: Routes = [
  { path: 'login', component: LoginPage, title: 'Sign in · Moat' },
  {
    path: '',
    component: ShellComponent,
    canActivate: [authGuard],
    children: [
      { path: 'dashboard', component: DashboardPage, title: 'Dashboard · Moat' },
      { path: 'nodes', component: NodesPage, title: 'Nodes · Moat' },
      { path: 'mail', component: MailPage, title: 'Mail tracking · Moat' },
      { path: 'mail/:id', component: MessagePage, title: 'Message · Moat' },
      { path: 'audit', component: AuditPage, title: 'Audit log · Moat' },
      { path: '', pathMatch: 'full', redirectTo: 'dashboard' },
    ],
  },
  { path: '**', redirectTo: 'dashboard' },
];
