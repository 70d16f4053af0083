import { useEffect, useState, useSyncExternalStore } from 'react';
import { ErrorBox } from './components/ui';
import { useServices } from './lib/context';
import { Link, navigate, useLocation } from './lib/router';
import { Audit } from './pages/Audit';
import { Clients } from './pages/Clients';
import { Overview } from './pages/Overview';
import { PersonalTokens } from './pages/PersonalTokens';
import { RegistrationTokens } from './pages/RegistrationTokens';
import { Rtc } from './pages/Rtc';
import { Sync } from './pages/Sync';
import { User } from './pages/User';
import { Users } from './pages/Users';

const NAV = [
  { to: '/', label: 'Overview' },
  { to: '/users', label: 'Users' },
  { to: '/registration-tokens', label: 'Registration tokens' },
  { to: '/personal-tokens', label: 'Personal tokens' },
  { to: '/oauth2-clients', label: 'OAuth clients' },
  { to: '/audit', label: 'Audit log' },
  { to: '/rtc', label: 'RTC' },
  { to: '/sync', label: 'Sync' },
] as const;

function Page({ path }: { path: string }) {
  if (path === '/') return <Overview />;
  if (path === '/users') return <Users />;
  const user = /^\/users\/([^/]+)$/.exec(path);
  if (user?.[1] !== undefined) return <User id={decodeURIComponent(user[1])} />;
  if (path === '/registration-tokens') return <RegistrationTokens />;
  if (path === '/personal-tokens') return <PersonalTokens />;
  if (path === '/oauth2-clients') return <Clients />;
  if (path === '/audit') return <Audit />;
  if (path === '/rtc') return <Rtc />;
  if (path === '/sync') return <Sync />;
  return (
    <>
      <h1>Not found</h1>
      <p>
        There is no page here. <Link to="/">Back to the overview</Link>
      </p>
    </>
  );
}

/** Keeps the session alive: refreshes the access token shortly before it expires. */
function useSilentRefresh(): void {
  const { session } = useServices();
  const [, setTick] = useState(0);
  useEffect(() => {
    const due = session.refreshDueIn();
    if (due === null) return;
    const timer = setTimeout(() => {
      session.refresh().then(
        () => {
          setTick((t) => t + 1);
        },
        () => {
          setTick((t) => t + 1);
        },
      );
    }, due);
    return () => {
      clearTimeout(timer);
    };
  });
}

export function App() {
  const { session } = useServices();
  const { path } = useLocation();
  const signedIn = useSyncExternalStore(
    (l) => session.onChange(l),
    () => session.signedIn,
  );
  const [signOutError, setSignOutError] = useState<Error | null>(null);
  useSilentRefresh();
  useEffect(() => {
    document.title = `${NAV.find((n) => n.to === path)?.label ?? (path.startsWith('/users/') ? 'User' : 'Admin')} · Admin dashboard`;
  }, [path]);
  if (!signedIn) return <SignedOut />;
  const current = (to: string) => (to === '/' ? path === '/' : path === to || path.startsWith(`${to}/`));
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Gateway admin</span>
        <nav aria-label="Main">
          <ul>
            {NAV.map((n) => (
              <li key={n.to}>
                <Link to={n.to} current={current(n.to)}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <button
          type="button"
          onClick={() => {
            session.signOut().then(
              () => {
                navigate('/', true);
              },
              (err: unknown) => {
                setSignOutError(err instanceof Error ? err : new Error(String(err)));
              },
            );
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {signOutError && <ErrorBox error={signOutError} />}
        <Page path={path} />
      </main>
    </>
  );
}

export function SignedOut({ refusal }: { refusal?: { message: string; notAdmin: boolean } }) {
  const { session } = useServices();
  const { path, search } = useLocation();
  const [busy, setBusy] = useState(false);
  return (
    <main id="main" className="signin">
      <h1>Gateway admin</h1>
      {refusal?.notAdmin === true ? (
        <div className="state error" role="alert">
          <h2>Not an administrator</h2>
          <p>
            You signed in, but your account may not administer this server. Ask an administrator to promote
            your account, or sign in with another one.
          </p>
          <p className="muted small">The auth service said: {refusal.message}</p>
        </div>
      ) : refusal !== undefined ? (
        <div className="state error" role="alert">
          <h2>Sign-in failed</h2>
          <p>{refusal.message}</p>
        </div>
      ) : (
        <p>Sign in with an administrator account of this server.</p>
      )}
      <button
        type="button"
        className="primary"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          const back =
            path === '/callback' ? '/' : `${path}${search.size > 0 ? `?${search.toString()}` : ''}`;
          void session.signIn(back);
        }}
      >
        {busy ? 'Going to sign-in…' : 'Sign in'}
      </button>
    </main>
  );
}
