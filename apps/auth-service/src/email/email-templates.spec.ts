import { describe, expect, it } from 'vitest';
import { recoveryMail, verificationMail } from './email-templates';

describe('email templates', () => {
  it('puts the code and link in both parts and escapes everything in the HTML', () => {
    const mail = verificationMail({
      to: 'a@example.org',
      userId: '@<b>evil</b>:example.org',
      code: '012345',
      link: 'https://auth.example.org/account/emails/confirm?token=x&y="z"',
      minutes: 10,
    });
    expect(mail.subject).toBe('Your verification code is 012345');
    expect(mail.text).toContain('Your code: 012345');
    expect(mail.text).toContain('https://auth.example.org/account/emails/confirm?token=x&y="z"');
    expect(mail.html).toContain('@&lt;b&gt;evil&lt;/b&gt;:example.org');
    expect(mail.html).not.toContain('<b>evil');
    expect(mail.html).toContain(
      'href="https://auth.example.org/account/emails/confirm?token=x&amp;y=&quot;z&quot;"',
    );
  });

  it('gives the recovery link with its lifetime', () => {
    const mail = recoveryMail({
      to: 'a@example.org',
      userId: '@a:example.org',
      link: 'https://x/recover/finish?ticket=T',
      minutes: 10,
    });
    expect(mail.subject).toBe('Reset your password');
    expect(mail.text).toContain('https://x/recover/finish?ticket=T');
    expect(mail.text).toContain('10 minutes, once');
    expect(mail.html).toContain('href="https://x/recover/finish?ticket=T"');
  });
});
