import { esc } from '../pages/layout';
import type { OutgoingMail } from './mailer';

const mail = (to: string, subject: string, lines: string[], html: string): OutgoingMail => ({
  to,
  subject,
  text: `${lines.join('\n')}\n`,
  html: `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${esc(subject)}</title></head><body style="font-family:sans-serif">${html}</body></html>`,
});

/** The code to type on the account page, and a link doing the same, for a new address of `userId`. */
export function verificationMail(v: {
  to: string;
  userId: string;
  code: string;
  link: string;
  minutes: number;
}): OutgoingMail {
  return mail(
    v.to,
    `Your verification code is ${v.code}`,
    [
      `Someone, probably you, asked to add this address to the Matrix account ${v.userId}.`,
      '',
      `Your code: ${v.code}`,
      '',
      'Or open this link to verify the address:',
      v.link,
      '',
      `The code and the link work for ${v.minutes} minutes, once. If this was not you, ignore this mail.`,
    ],
    `<p>Someone, probably you, asked to add this address to the Matrix account <strong>${esc(v.userId)}</strong>.</p>
<p>Your code: <strong style="font-size:1.4em;letter-spacing:.15em">${esc(v.code)}</strong></p>
<p>Or <a href="${esc(v.link)}">verify the address with this link</a>.</p>
<p>The code and the link work for ${esc(v.minutes)} minutes, once. If this was not you, ignore this mail.</p>`,
  );
}

/** The one-time link to set a new password of `userId`. */
export function recoveryMail(v: { to: string; userId: string; link: string; minutes: number }): OutgoingMail {
  return mail(
    v.to,
    'Reset your password',
    [
      `Someone, probably you, asked to reset the password of the Matrix account ${v.userId}.`,
      '',
      'Open this link to choose a new password:',
      v.link,
      '',
      `The link works for ${v.minutes} minutes, once. If this was not you, ignore this mail: your password stays as it is.`,
    ],
    `<p>Someone, probably you, asked to reset the password of the Matrix account <strong>${esc(v.userId)}</strong>.</p>
<p><a href="${esc(v.link)}">Choose a new password</a></p>
<p>The link works for ${esc(v.minutes)} minutes, once. If this was not you, ignore this mail: your password stays as it is.</p>`,
  );
}
