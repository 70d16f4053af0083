import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A user's remembered consent: this client may have these scopes without asking again. */
@Entity({ name: 'consents' })
export class ConsentEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @PrimaryColumn({ name: 'client_id', type: 'text' })
  clientId!: string;

  /** The consented scopes, sorted and space-separated (device scopes generalised, see ConsentRepository). */
  @PrimaryColumn({ type: 'text' })
  scopes!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
