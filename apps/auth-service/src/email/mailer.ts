import { createTransport, type Transporter } from 'nodemailer';
import type { EmailSettings } from '../config';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Sends one mail; rejects when the server refused it or could not be reached. */
export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/**
 * Mail over SMTP with nodemailer (MAS's `email.transport: smtp`, modes plain/starttls/tls). `starttls`
 * refuses a server that does not offer the upgrade rather than sending in the clear; `plain` never
 * upgrades (a relay on the same host or network). Short timeouts: a page waits for the send.
 */
export function createSmtpMailer(settings: EmailSettings): Mailer {
  const { smtp } = settings;
  const transport: Transporter = createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.mode === 'tls',
    requireTLS: smtp.mode === 'starttls',
    ignoreTLS: smtp.mode === 'plain',
    ...(smtp.auth === undefined ? {} : { auth: smtp.auth }),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    async send(mail) {
      await transport.sendMail({
        from: settings.from,
        ...(settings.replyTo === undefined ? {} : { replyTo: settings.replyTo }),
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
      });
    },
    close() {
      transport.close();
    },
  };
}
