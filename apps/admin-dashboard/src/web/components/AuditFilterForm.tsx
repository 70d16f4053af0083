import { useId, useState, type SyntheticEvent } from 'react';
import { AUDIT_EVENT_TYPES, auditFilterQuery, type AuditFilters } from '../lib/filters';
import { FieldError } from './ui';

/** The audit log's filters; only a consistent set (times that parse, "from" before "to") is applied. */
export function AuditFilterForm(props: { value: AuditFilters; onApply: (f: AuditFilters) => void }) {
  const [f, setF] = useState<AuditFilters>(props.value);
  const [problems, setProblems] = useState<Partial<Record<keyof AuditFilters, string>>>({});
  const id = useId();
  const submit = (e: SyntheticEvent) => {
    e.preventDefault();
    const checked = auditFilterQuery(f);
    if (!checked.ok) {
      setProblems(checked.problems);
      return;
    }
    setProblems({});
    props.onApply(f);
  };
  const text = (name: 'actor' | 'subject' | 'since' | 'until', label: string, type = 'text') => (
    <label>
      {label}
      <input
        name={name}
        type={type}
        value={f[name]}
        aria-invalid={problems[name] !== undefined}
        aria-describedby={problems[name] !== undefined ? `${id}-${name}` : undefined}
        onChange={(e) => {
          setF({ ...f, [name]: e.target.value });
        }}
      />
      <FieldError id={`${id}-${name}`} message={problems[name]} />
    </label>
  );
  return (
    <form className="filters" onSubmit={submit} role="search" aria-label="Filter audit events" noValidate>
      {text('actor', 'Actor')}
      {text('subject', 'Subject')}
      <label>
        Event
        <select
          name="type"
          value={f.type}
          onChange={(e) => {
            setF({ ...f, type: e.target.value as AuditFilters['type'] });
          }}
        >
          <option value="">Any</option>
          {AUDIT_EVENT_TYPES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </label>
      {text('since', 'From', 'datetime-local')}
      {text('until', 'To', 'datetime-local')}
      <button type="submit">Apply</button>
    </form>
  );
}
