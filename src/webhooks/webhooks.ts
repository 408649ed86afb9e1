// Webhook management (admin-only once tokens exist): create, update, delete, and the rules a
// webhook must follow. Deliveries are made by dispatcher.ts.
import type { AuditAction, Webhook } from '../generated/prisma/client.ts';
import { NotFoundError, ValidationError } from '../registry/rules/errors.ts';
import type { WebhookRules } from '../registry/write.ts';
import { lastEventSequence } from '../store/events.ts';
import { type Tx, databaseNow } from '../store/sql.ts';
import * as store from '../store/webhooks.ts';
import { isStorableText } from '../registry/rules/validation.ts';
import { ipLiteralOf, isInternalAddress, targetVerdict } from './targets.ts';

export const MAX_WEBHOOK_URL_LENGTH = 2048;
export const MIN_WEBHOOK_SECRET_LENGTH = 16;
export const MAX_WEBHOOK_SECRET_LENGTH = 256;

export interface WebhookInput {
  url?: string | null;
  secret?: string | null;
  modelName?: string | null;
  actions?: readonly AuditAction[] | null;
  active?: boolean | null;
}

const PRIVATE_REFUSED =
  'url: must not target a loopback, private, link-local or other internal address (WEBHOOK_ALLOW_PRIVATE=1 allows it)';

/** The checks that need no network: length, storability, scheme, credentials, literal IP. */
export function checkWebhookUrl(url: string, rules: WebhookRules): URL {
  if (url.length > MAX_WEBHOOK_URL_LENGTH) throw new ValidationError('url', `url: at most ${MAX_WEBHOOK_URL_LENGTH} characters`);
  // The parser would percent-encode U+0000 and replace lone surrogates: the stored URL would not be the one given.
  if (!isStorableText(url)) throw new ValidationError('url', 'url: must not contain U+0000 or lone surrogates');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError('url', 'url: not a valid absolute URL');
  }
  if (parsed.protocol !== 'https:' && !(rules.allowHttp && parsed.protocol === 'http:')) {
    throw new ValidationError(
      'url',
      rules.allowHttp ? 'url: must be http:// or https://' : 'url: must be https:// (WEBHOOK_ALLOW_HTTP=1 allows http://)',
    );
  }
  if (parsed.username || parsed.password) throw new ValidationError('url', 'url: must not contain credentials');
  const literal = ipLiteralOf(parsed);
  if (!rules.allowPrivate && literal && isInternalAddress(literal)) throw new ValidationError('url', PRIVATE_REFUSED);
  return parsed;
}

/** checkWebhookUrl, then the host name resolved: refused if any of its addresses is internal. */
export async function checkWebhookTarget(url: string, rules: WebhookRules): Promise<void> {
  const parsed = checkWebhookUrl(url, rules);
  if (rules.allowPrivate) return;
  const verdict = await targetVerdict(parsed);
  if (verdict === 'internal') throw new ValidationError('url', PRIVATE_REFUSED);
  if (verdict === 'unresolved') throw new ValidationError('url', `url: host ${parsed.hostname} does not resolve`);
}

function checkSecret(secret: string): void {
  if (secret.length < MIN_WEBHOOK_SECRET_LENGTH || secret.length > MAX_WEBHOOK_SECRET_LENGTH || !isStorableText(secret)) {
    // The length only: the secret itself must not be echoed back.
    throw new ValidationError(
      'secret',
      `secret must be between ${MIN_WEBHOOK_SECRET_LENGTH} and ${MAX_WEBHOOK_SECRET_LENGTH} characters of text (got ${secret.length})`,
    );
  }
}

function checkModelName(modelName: string | null | undefined): void {
  if (modelName != null && (modelName.length === 0 || modelName.length > 256 || !isStorableText(modelName))) {
    throw new ValidationError('modelName', 'modelName: 1-256 characters');
  }
}

export function actionsOf(webhook: Pick<Webhook, 'actions'>): AuditAction[] | null {
  return webhook.actions == null ? null : (webhook.actions.split(',').filter(Boolean) as AuditAction[]);
}

/** A new webhook receives the events recorded after its creation. */
export async function createWebhook(tx: Tx, input: WebhookInput & { url: string; secret: string }, rules: WebhookRules): Promise<Webhook> {
  await checkWebhookTarget(input.url, rules);
  checkSecret(input.secret);
  checkModelName(input.modelName);
  const at = await databaseNow(tx);
  const fields = {
    url: input.url,
    secret: input.secret,
    modelName: input.modelName ?? null,
    actions: input.actions?.length ? input.actions.join(',') : null,
    active: input.active ?? true,
  };
  return store.insertWebhook(tx, fields, await lastEventSequence(tx), at);
}

export async function updateWebhook(tx: Tx, id: number, input: WebhookInput, rules: WebhookRules): Promise<Webhook> {
  const existing = await store.findWebhook(tx, id);
  if (!existing) throw new NotFoundError(`webhook ${id} not found`);
  if (input.url != null) await checkWebhookTarget(input.url, rules);
  if (input.secret != null) checkSecret(input.secret);
  if (input.modelName !== undefined) checkModelName(input.modelName);
  const fields = {
    ...(input.url != null ? { url: input.url } : {}),
    ...(input.secret != null ? { secret: input.secret } : {}),
    ...(input.modelName !== undefined ? { modelName: input.modelName } : {}),
    ...(input.actions !== undefined ? { actions: input.actions?.length ? input.actions.join(',') : null } : {}),
    ...(input.active != null ? { active: input.active } : {}),
  };
  return store.updateWebhook(tx, id, fields, await databaseNow(tx));
}

/** Deletes the webhook and its delivery log. */
export async function deleteWebhook(tx: Tx, id: number): Promise<Webhook> {
  const existing = await store.findWebhook(tx, id);
  if (!existing) throw new NotFoundError(`webhook ${id} not found`);
  await store.deleteWebhook(tx, id);
  return existing;
}
