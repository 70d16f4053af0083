// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OneTimeToken, PersonalTokenForm } from './PersonalTokenForm';

afterEach(cleanup);

const submit = async () => {
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Create token' }));
    await Promise.resolve();
  });
};

describe('PersonalTokenForm', () => {
  it('sends the Matrix API scope and 30 days unless told otherwise', async () => {
    const onCreate = vi.fn(() => Promise.resolve());
    render(<PersonalTokenForm onCreate={onCreate} username="alice" />);
    fireEvent.change(screen.getByLabelText('Token name'), { target: { value: 'bridge bot' } });
    await submit();
    expect(onCreate).toHaveBeenCalledWith('alice', {
      human_name: 'bridge bot',
      scope: 'urn:matrix:client:api:*',
      expires_in: 30 * 24 * 3600,
    });
  });

  it('refuses a lifetime outside 1 to 366 days and does not call the API', async () => {
    const onCreate = vi.fn(() => Promise.resolve());
    render(<PersonalTokenForm onCreate={onCreate} username="alice" />);
    fireEvent.change(screen.getByLabelText('Token name'), { target: { value: 'bot' } });
    for (const days of ['0', '367', '2.5', 'soon']) {
      fireEvent.change(screen.getByLabelText(/^Expires in \(days\)/), { target: { value: days } });
      await submit();
      expect(screen.getByText('A whole number of days, 1 to 366')).toBeTruthy();
      expect(screen.getByLabelText(/^Expires in \(days\)/).getAttribute('aria-invalid')).toBe('true');
    }
    expect(onCreate).not.toHaveBeenCalled();
  });

  it('sends no expiry when the lifetime is empty, and the admin scope when ticked', async () => {
    const onCreate = vi.fn(() => Promise.resolve());
    render(<PersonalTokenForm onCreate={onCreate} />);
    fireEvent.change(screen.getByLabelText('User'), { target: { value: '@ops:example.org' } });
    fireEvent.change(screen.getByLabelText('Token name'), { target: { value: 'ops' } });
    fireEvent.click(screen.getByRole('checkbox', { name: /gateway’s admin API/ }));
    fireEvent.change(screen.getByLabelText(/^Expires in \(days\)/), { target: { value: '' } });
    await submit();
    expect(onCreate).toHaveBeenCalledWith('ops', {
      human_name: 'ops',
      scope: 'urn:matrix:client:api:* urn:mas:admin',
    });
  });

  it('asks for a scope, and the Matrix API with the Synapse admin one', async () => {
    const onCreate = vi.fn(() => Promise.resolve());
    render(<PersonalTokenForm onCreate={onCreate} username="alice" />);
    fireEvent.change(screen.getByLabelText('Token name'), { target: { value: 'bot' } });
    fireEvent.click(screen.getByRole('checkbox', { name: /^Matrix client API/ }));
    await submit();
    expect(screen.getByText('Choose at least one scope')).toBeTruthy();
    fireEvent.click(screen.getByRole('checkbox', { name: /Synapse admin API/ }));
    await submit();
    expect(screen.getByText('The Synapse admin API needs the Matrix client API too')).toBeTruthy();
    expect(onCreate).not.toHaveBeenCalled();
  });

  it('shows what the API refused and keeps the form as it was', async () => {
    const onCreate = vi.fn(() => Promise.reject(new Error('There is no user nobody.')));
    render(<PersonalTokenForm onCreate={onCreate} />);
    fireEvent.change(screen.getByLabelText('User'), { target: { value: 'nobody' } });
    fireEvent.change(screen.getByLabelText('Token name'), { target: { value: 'bot' } });
    await submit();
    expect((await screen.findByRole('alert')).textContent).toContain('There is no user nobody.');
    expect(screen.getByLabelText<HTMLInputElement>('Token name').value).toBe('bot');
  });
});

describe('OneTimeToken', () => {
  it('shows the token with a warning, copies it, and is gone once dismissed', async () => {
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const onDone = vi.fn();
    render(<OneTimeToken title="New token" token="mpt_secret123" onDone={onDone} />);
    expect(screen.getByText(/you will not see it again/)).toBeTruthy();
    expect(screen.getByLabelText<HTMLInputElement>('Token').value).toBe('mpt_secret123');
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Copy token' }));
      await Promise.resolve();
    });
    expect(writeText).toHaveBeenCalledWith('mpt_secret123');
    expect(screen.getByRole('status').textContent).toBe('Copied');
    fireEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(onDone).toHaveBeenCalledOnce();
  });

  it('selects the token for copying by hand when the clipboard refuses', async () => {
    const writeText = vi.fn(() => Promise.reject(new Error('denied')));
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    render(<OneTimeToken title="New token" token="mpt_secret123" onDone={() => undefined} />);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Copy token' }));
      await Promise.resolve();
    });
    expect(screen.getByRole('status').textContent).toContain('copy it by hand');
  });
});
