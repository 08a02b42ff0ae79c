import type { Routes } from '@angular/router';
import { AuditPage } from './audit/audit.page';
import { AccountPage } from './account/account.page';
import { AdminsPage } from './admins/admins.page';
import { authGuard } from './auth/auth.guard';
import { CertificatesPage } from './certificates/certificates.page';
import { permissionGuard } from './auth/permission.guard';
import { DashboardPage } from './dashboard/dashboard.page';
import { LoginPage } from './login/login.page';
import { MailPage } from './mail/mail.page';
import { MessagePage } from './mail/message.page';
import { NodesPage } from './nodes/nodes.page';
import { ShellComponent } from './shell/shell.component';
import { StatisticsPage } from './statistics/statistics.page';

export const routes: Routes = [
  { path: 'login', component: LoginPage, title: 'Sign in · Moat' },
  {
    path: '',
    component: ShellComponent,
    canActivate: [authGuard],
    children: [
      { path: 'dashboard', component: DashboardPage, canActivate: [permissionGuard('status:read')], title: 'Dashboard · Moat' },
      { path: 'nodes', component: NodesPage, canActivate: [permissionGuard('status:read')], title: 'Nodes · Moat' },
      { path: 'mail', component: MailPage, canActivate: [permissionGuard('mail:read')], title: 'Mail tracking · Moat' },
      { path: 'mail/:id', component: MessagePage, canActivate: [permissionGuard('mail:read')], title: 'Message · Moat' },
      { path: 'audit', component: AuditPage, canActivate: [permissionGuard('audit:read')], title: 'Audit log · Moat' },
      { path: 'security-log', loadComponent: () => import('./security-log/security-log.page').then((m) => m.SecurityLogPage), canActivate: [permissionGuard('mail:read')], title: 'Security log · Moat' },
      { path: 'admins', component: AdminsPage, canActivate: [permissionGuard('admins:read')], title: 'Administrators · Moat' },
      { path: 'certificates', component: CertificatesPage, canActivate: [permissionGuard('policy:read')], title: 'Certificates · Moat' },
      { path: 'dkim', loadComponent: () => import('./dkim/dkim.page').then((m) => m.DkimPage), canActivate: [permissionGuard('policy:read')], title: 'DKIM · Moat' },
      { path: 'holds', loadComponent: () => import('./holds/holds.page').then((m) => m.HoldsPage), canActivate: [permissionGuard('mail:read')], title: 'Delivery holds · Moat' },
      { path: 'quarantine', loadComponent: () => import('./quarantine/quarantine.page').then((m) => m.QuarantinePage), canActivate: [permissionGuard('mail:read')], title: 'Quarantine · Moat' },
      { path: 'lists', loadComponent: () => import('./lists/lists.page').then((m) => m.ListsPage), canActivate: [permissionGuard('policy:read')], title: 'Block and allow lists · Moat' },
      { path: 'accounts', loadComponent: () => import('./accounts/accounts.page').then((m) => m.AccountsPage), canActivate: [permissionGuard('policy:read')], title: 'Accounts · Moat' },
      { path: 'policy', loadComponent: () => import('./policy/policy.page').then((m) => m.PolicyPage), canActivate: [permissionGuard('policy:read')], title: 'Policy · Moat' },
      { path: 'policy/versions', loadComponent: () => import('./policy/policy-versions.page').then((m) => m.PolicyVersionsPage), canActivate: [permissionGuard('policy:read')], title: 'Policy versions · Moat' },
      { path: 'tenants', loadComponent: () => import('./tenants/tenants.page').then((m) => m.TenantsPage), canActivate: [permissionGuard('tenants:manage')], title: 'Tenants · Moat' },
      { path: 'auth-blocks', loadComponent: () => import('./auth-blocks/auth-blocks.page').then((m) => m.AuthBlocksPage), canActivate: [permissionGuard('authblocks:read')], title: 'AUTH blocks · Moat' },
      { path: 'approvals', loadComponent: () => import('./approvals/approvals.page').then((m) => m.ApprovalsPage), canActivate: [permissionGuard('approvals:read')], title: 'Approvals · Moat' },
      { path: 'directory', loadComponent: () => import('./directory/directory.page').then((m) => m.DirectoryPage), canActivate: [permissionGuard('directory:read')], title: 'Directory · Moat' },
      { path: 'account', component: AccountPage, title: 'Account · Moat' },
      { path: 'statistics', component: StatisticsPage, canActivate: [permissionGuard('status:read')], title: 'Statistics · Moat' },
      { path: '', pathMatch: 'full', redirectTo: 'dashboard' },
    ],
  },
  { path: '**', redirectTo: 'dashboard' },
];
