import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  replyTo: string | undefined;
  subject: string;
  text: string;
  html: string;
}

export interface Mailbox {
  port: number;
  /** The environment that points the auth service at this server (plain SMTP with a login). */
  env: Record<string, string>;
  received: ReceivedMail[];
  /** The next mail to `to` (case-insensitive) not yet taken, waiting up to `ms` for it. */
  next(to: string, ms?: number): Promise<ReceivedMail>;
  stop(): Promise<void>;
}

export const MAIL_USER = 'gateway';
export const MAIL_PASSWORD = 'smtp-password-for-tests';

/**
 * A real SMTP server on loopback (the `smtp-server` package) that requires a login and keeps every
 * mail it accepts, parsed (`mailparser`), so a test reads what a person would get and follows it.
 */
export async function startMailbox(): Promise<Mailbox> {
  const received: ReceivedMail[] = [];
  const taken = new Set<ReceivedMail>();
  const waiters: (() => void)[] = [];
  const server = new SMTPServer({
    // Plain mode: no TLS offered, the login allowed without it (loopback only).
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === MAIL_USER && auth.password === MAIL_PASSWORD)
        callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          received.push({
            from: parsed.from?.text ?? '',
            to: session.envelope.rcptTo.map((r) => r.address),
            replyTo: parsed.replyTo?.text,
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
          });
          for (const w of waiters.splice(0)) w();
          callback();
        })
        .catch((err: unknown) => {
          callback(err instanceof Error ? err : new Error(String(err)));
        });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    env: {
      AUTH_EMAIL_TRANSPORT: 'smtp',
      AUTH_EMAIL_SMTP_HOST: '127.0.0.1',
      AUTH_EMAIL_SMTP_PORT: String(port),
      AUTH_EMAIL_SMTP_MODE: 'plain',
      AUTH_EMAIL_SMTP_USERNAME: MAIL_USER,
      AUTH_EMAIL_SMTP_PASSWORD: MAIL_PASSWORD,
      AUTH_EMAIL_FROM: 'Gateway Test <noreply@gateway.test>',
      AUTH_EMAIL_REPLY_TO: 'help@gateway.test',
    },
    received,
    async next(to, ms = 10_000) {
      const end = Date.now() + ms;
      for (;;) {
        const mail = received.find(
          (m) => !taken.has(m) && m.to.some((t) => t.toLowerCase() === to.toLowerCase()),
        );
        if (mail) {
          taken.add(mail);
          return mail;
        }
        const left = end - Date.now();
        if (left <= 0) throw new Error(`no mail to ${to} within ${ms} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, 200));
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** The 6-digit code in a verification mail's text. */
export function codeIn(mail: ReceivedMail): string {
  const code = /Your code: (\d{6})/.exec(mail.text)?.[1];
  if (code === undefined) throw new Error(`no code in: ${mail.text}`);
  return code;
}

/** The first link in a mail's text. */
export function linkIn(mail: ReceivedMail): string {
  const link = /https?:\/\/\S+/.exec(mail.text)?.[0];
  if (link === undefined) throw new Error(`no link in: ${mail.text}`);
  return link;
}
