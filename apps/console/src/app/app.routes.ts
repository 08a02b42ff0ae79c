import type { Routes } from '@angular/router';
import { authGuard } from './auth/auth.guard';
import { DashboardPage } from './dashboard/dashboard.page';
import { LoginPage } from './login/login.page';
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
      { path: '', pathMatch: 'full', redirectTo: 'dashboard' },
    ],
  },
  { path: '**', redirectTo: 'dashboard' },
];
