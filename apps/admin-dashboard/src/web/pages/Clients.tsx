import { Async, Empty, Pager, formatTime } from '../components/ui';
import { useServices } from '../lib/context';
import { usePaged } from '../lib/use-paged';

export function Clients() {
  const { api } = useServices();
  const paged = usePaged((page) => api.get('/api/admin/v1/oauth2-clients', { query: page }), 'clients');
  return (
    <>
      <h1>OAuth clients</h1>
      <Async state={paged.state} what="OAuth clients" retry={paged.reload}>
        {(page) =>
          (page.data ?? []).length === 0 ? (
            <Empty>No clients have registered yet.</Empty>
          ) : (
            <ul className="rows">
              {(page.data ?? []).map((c) => (
                <li key={c.id}>
                  <div>
                    <strong>{c.attributes.client_name ?? c.attributes.client_id}</strong>{' '}
                    <span className="mono small">{c.attributes.client_id}</span>
                    <div className="muted small">
                      {c.attributes.application_type ?? 'static'} · {c.attributes.grant_types.join(', ')} ·
                      auth {c.attributes.token_endpoint_auth_method ?? '—'} · registered{' '}
                      {formatTime(c.attributes.created_at)}
                    </div>
                    {c.attributes.redirect_uris.length > 0 && (
                      <div className="muted small">redirects to {c.attributes.redirect_uris.join(', ')}</div>
                    )}
                  </div>
                </li>
              ))}
            </ul>
          )
        }
      </Async>
      <Pager label="Client pages" range={paged.range} onPrevious={paged.onPrevious} onNext={paged.onNext} />
    </>
  );
}
