// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CreateUserForm } from './CreateUserForm';
import { TokenForm } from './TokenForm';
import { Pager } from './ui';

afterEach(cleanup);

describe('CreateUserForm', () => {
  it('shows the problem next to the field and does not call the API for a bad username', async () => {
    const onCreate = vi.fn(() => Promise.resolve());
    render(<CreateUserForm onCreate={onCreate} />);
    fireEvent.change(screen.getByLabelText('Username'), { target: { value: 'Not Valid' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Create user' }));
      await Promise.resolve();
    });
    expect(onCreate).not.toHaveBeenCalled();
    expect(screen.getByLabelText(/^Username/).getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText(/lower-case letters/)).toBeTruthy();
  });

  it('sends a good form and shows what the API refused', async () => {
    const onCreate = vi.fn(() => Promise.reject(new Error('Username already taken')));
    render(<CreateUserForm onCreate={onCreate} />);
    fireEvent.change(screen.getByLabelText('Username'), { target: { value: 'dave' } });
    fireEvent.click(screen.getByLabelText('Administrator'));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Create user' }));
      await Promise.resolve();
    });
    expect(onCreate).toHaveBeenCalledWith({ username: 'dave', password: '', admin: true });
    expect((await screen.findByRole('alert')).textContent).toContain('Username already taken');
  });
});

describe('TokenForm', () => {
  it('refuses an expiry in the past', async () => {
    const onCreate = vi.fn(() => Promise.resolve());
    render(<TokenForm onCreate={onCreate} now={() => new Date('2030-01-01T00:00:00Z')} />);
    fireEvent.change(screen.getByLabelText('Expires (optional)'), { target: { value: '2029-01-01T00:00' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Create token' }));
      await Promise.resolve();
    });
    expect(onCreate).not.toHaveBeenCalled();
    expect(screen.getByText('Must be in the future')).toBeTruthy();
  });
});

describe('Pager', () => {
  it('disables the way one cannot go and calls the other', () => {
    const next = vi.fn();
    render(<Pager label="Users pages" range="1–20 of 45" onPrevious={null} onNext={next} />);
    const previous = screen.getByRole('button', { name: '← Previous' });
    expect((previous as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Next →' }));
    expect(next).toHaveBeenCalledOnce();
    expect(screen.getByText('1–20 of 45')).toBeTruthy();
  });
});
