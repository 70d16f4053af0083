import { useState } from 'react';
import { AuditFilterForm } from '../components/AuditFilterForm';
import { Async, Empty, Pager, formatTime } from '../components/ui';
import { useServices } from '../lib/context';
import { auditFilterQuery, NO_AUDIT_FILTERS, type AuditFilters } from '../lib/filters';
import { usePaged } from '../lib/use-paged';

export function Audit() {
  const { api } = useServices();
  const [filters, setFilters] = useState<AuditFilters>(NO_AUDIT_FILTERS);
  const checked = auditFilterQuery(filters);
  const query = checked.ok ? checked.query : {};
  const paged = usePaged(
    (page) => api.get('/api/admin/v1/audit-events', { query: { ...query, ...page } }),
    JSON.stringify(query),
  );
  return (
    <>
      <h1>Audit log</h1>
      <AuditFilterForm value={filters} onApply={setFilters} />
      <Async state={paged.state} what="audit events" retry={paged.reload}>
        {(page) =>
          (page.data ?? []).length === 0 ? (
            <Empty>No audit events match these filters.</Empty>
          ) : (
            <div className="table-wrap">
              <table>
                <caption className="visually-hidden">Audit events</caption>
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Event</th>
                    <th scope="col">Outcome</th>
                    <th scope="col">Actor</th>
                    <th scope="col">Subject</th>
                    <th scope="col">Details</th>
                  </tr>
                </thead>
                <tbody>
                  {(page.data ?? []).map((e) => (
                    <tr key={e.id}>
                      <td>{formatTime(e.attributes.created_at)}</td>
                      <td className="mono">{e.attributes.type}</td>
                      <td>{e.attributes.outcome}</td>
                      <td>
                        <span className="mono">{e.attributes.actor}</span>{' '}
                        <span className="muted small">({e.attributes.actor_kind})</span>
                      </td>
                      <td className="mono">{e.attributes.subject ?? '—'}</td>
                      <td className="small">
                        {Object.entries(e.attributes.details)
                          .map(([k, v]) => `${k}: ${String(v)}`)
                          .join(', ')}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Async>
      <Pager
        label="Audit log pages"
        range={paged.range}
        onPrevious={paged.onPrevious}
        onNext={paged.onNext}
      />
    </>
  );
}
