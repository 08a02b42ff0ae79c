import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { authInterceptor } from './auth.interceptor';
import { SessionService } from './session.service';

describe('authInterceptor', () => {
  let http: HttpClient;
  let backend: HttpTestingController;
  let session: SessionService;

  beforeEach(() => {
    sessionStorage.clear();
    TestBed.configureTestingModule({
      providers: [provideRouter([]), provideHttpClient(withInterceptors([authInterceptor])), provideHttpClientTesting()],
    });
    http = TestBed.inject(HttpClient);
    backend = TestBed.inject(HttpTestingController);
    session = TestBed.inject(SessionService);
    session.start('tok-1');
  });

  afterEach(() => backend.verify());

  it('sends the bearer token to the API', () => {
    http.get('/api/status').subscribe();
    expect(backend.expectOne('/api/status').request.headers.get('Authorization')).toBe('Bearer tok-1');
  });

  it('does not send a token with the login itself', () => {
    http.post('/api/auth/login', {}).subscribe();
    expect(backend.expectOne('/api/auth/login').request.headers.has('Authorization')).toBe(false);
  });

  it('ends the session and goes to the login page on 401', () => {
    const navigate = vi.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    http.get('/api/stats').subscribe({ error: () => undefined });
    backend.expectOne('/api/stats').flush({ error: 'token expired' }, { status: 401, statusText: 'Unauthorized' });
    expect(session.loggedIn()).toBe(false);
    expect(sessionStorage.length).toBe(0);
    expect(navigate).toHaveBeenCalledWith(['/login'], { queryParams: { expired: 1, returnUrl: '/' } });
  });
});
