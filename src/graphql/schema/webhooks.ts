// Webhooks: admin-managed endpoints that receive history events (src/webhooks). Secrets are
// write-only: no field returns them.
import { GraphQLError } from 'graphql';
import type { Webhook, WebhookDelivery, WebhookDeliveryStatus } from '../../generated/prisma/client.ts';
import { actionsOf } from '../../webhooks/webhooks.ts';
import { builder } from '../builder.ts';
import { AuditActionRef } from './audit-event.ts';
import { NotFoundErrorRef, ValidationErrorRef, resultUnion } from './errors.ts';
import { AuditEventRef } from './refs.ts';
import { DateTime } from './scalars.ts';

const WebhookDeliveryStatusRef = builder.enumType('WebhookDeliveryStatus', {
  description: 'Where a webhook delivery stands.',
  values: {
    PENDING: { description: 'Queued, being sent, or waiting to be retried.' },
    DELIVERED: { description: 'The endpoint answered 2xx.' },
    FAILED: { description: 'Every attempt failed (the maximum number of attempts was reached).' },
  } as const,
});

const WebhookDeliveryRef = builder.objectRef<WebhookDelivery>('WebhookDelivery').implement({
  description: 'One event sent (or to be sent) to one webhook: the delivery log.',
  fields: (t) => ({
    id: t.exposeInt('id', { description: 'Sent in the `x-registry-delivery` header; the same on every retry, for de-duplication.' }),
    sequence: t.exposeInt('sequence', { nullable: true, description: "The history event's sequence; null for testWebhook pings." }),
    event: t.field({
      type: AuditEventRef,
      nullable: true,
      description: 'The history event delivered; null for pings.',
      resolve: async (d, _args, ctx) => {
        if (d.sequence == null) return null;
        // The same check as node(id:) and auditEvents, so the log never shows what the reader may not see.
        return ctx.reads.event(d.sequence);
      },
    }),
    status: t.field({ type: WebhookDeliveryStatusRef, description: 'Where the delivery stands.', resolve: (d) => d.status }),
    attempts: t.exposeInt('attempts', { description: 'Attempts made so far.' }),
    nextAttemptAt: t.field({ type: DateTime, description: 'When the next attempt is due (for PENDING).', resolve: (d) => d.nextAttemptAt }),
    responseCode: t.exposeInt('responseCode', { nullable: true, description: 'HTTP status of the last attempt; null if no response.' }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'Why the last attempt failed; null once delivered.' }),
    createdAt: t.field({ type: DateTime, description: 'When the delivery was queued.', resolve: (d) => d.createdAt }),
    deliveredAt: t.field({
      type: DateTime,
      nullable: true,
      description: 'When the endpoint acknowledged it.',
      resolve: (d) => d.deliveredAt,
    }),
  }),
});

const WebhookRef = builder.objectRef<Webhook>('Webhook').implement({
  description: 'An endpoint that receives history events as signed POST requests, at least once, in sequence order.',
  fields: (t) => ({
    id: t.exposeInt('id', { description: 'The webhook id.' }),
    url: t.exposeString('url', { description: 'Where events are POSTed.' }),
    modelName: t.exposeString('modelName', { nullable: true, description: 'Only events of models that ever bore this name; null: all.' }),
    actions: t.field({
      type: [AuditActionRef],
      nullable: true,
      description: 'Only these actions; null: all.',
      resolve: (w) => actionsOf(w),
    }),
    active: t.exposeBoolean('active', { description: 'Inactive webhooks queue and send nothing.' }),
    lastSequence: t.exposeInt('lastSequence', { description: 'Every event up to this sequence has been queued or filtered out.' }),
    createdAt: t.field({ type: DateTime, description: 'When it was created.', resolve: (w) => w.createdAt }),
    updatedAt: t.field({ type: DateTime, description: 'When it last changed.', resolve: (w) => w.updatedAt }),
    deliveries: t.field({
      type: [WebhookDeliveryRef],
      description: 'The delivery log, newest first.',
      args: {
        first: t.arg.int({ description: 'How many (1-100, default 20).' }),
        status: t.arg({ type: WebhookDeliveryStatusRef, description: 'Only deliveries in this state.' }),
      },
      resolve: (w, args, ctx) => {
        const first = args.first ?? 20;
        if (first < 1 || first > 100) throw new GraphQLError('first must be from 1 to 100');
        return ctx.reads.webhookDeliveries(w.id, { first, status: args.status as WebhookDeliveryStatus | null | undefined });
      },
    }),
  }),
});

const WebhookPayloadRef = builder.objectRef<{ webhook: Webhook }>('WebhookPayload').implement({
  description: 'A webhook after the change (for deleteWebhook: as it was).',
  fields: (t) => ({ webhook: t.field({ type: WebhookRef, description: 'The webhook.', resolve: (p) => p.webhook }) }),
});

const TestWebhookPayloadRef = builder.objectRef<{ delivery: WebhookDelivery }>('TestWebhookPayload').implement({
  description: 'The outcome of a ping (also in the delivery log).',
  fields: (t) => ({ delivery: t.field({ type: WebhookDeliveryRef, description: 'The ping delivery.', resolve: (p) => p.delivery }) }),
});

const filterFields = {
  modelName: 'Only events of models that ever bore this name (null: all models).',
  actions: 'Only events with one of these actions (null or empty: all).',
  active: 'Whether to deliver (default true).',
};

const CreateInput = builder.inputType('CreateWebhookInput', {
  description: 'A new webhook. It receives the events recorded after its creation.',
  fields: (t) => ({
    url: t.string({
      required: true,
      description: 'https:// URL (http:// only where WEBHOOK_ALLOW_HTTP=1); internal addresses only where WEBHOOK_ALLOW_PRIVATE=1.',
    }),
    secret: t.string({ required: true, description: 'HMAC-SHA256 key for the `x-registry-signature` header, 16-256 characters.' }),
    modelName: t.string({ description: filterFields.modelName }),
    actions: t.field({ type: [AuditActionRef], description: filterFields.actions }),
    active: t.boolean({ description: filterFields.active }),
  }),
});

const UpdateInput = builder.inputType('UpdateWebhookInput', {
  description: 'Changes to a webhook; omitted fields stay as they are.',
  fields: (t) => ({
    id: t.int({ required: true, description: 'The webhook.' }),
    url: t.string({ description: 'New URL.' }),
    secret: t.string({ description: 'New secret (16-256 characters).' }),
    modelName: t.string({ description: `${filterFields.modelName} Pass null to clear.` }),
    actions: t.field({ type: [AuditActionRef], description: `${filterFields.actions} Pass null to clear.` }),
    active: t.boolean({ description: 'Pause (false) or resume (true). Paused webhooks resume where they stopped.' }),
  }),
});

const IdInput = builder.inputType('WebhookIdInput', {
  description: 'A webhook, by id.',
  fields: (t) => ({ id: t.int({ required: true, description: 'The webhook id.' }) }),
});

const create = resultUnion<{ webhook: Webhook }>('CreateWebhookResult', 'The webhook, or why it was not created.', WebhookPayloadRef, [
  ValidationErrorRef,
]);
const update = resultUnion<{ webhook: Webhook }>('UpdateWebhookResult', 'The webhook, or why it was not changed.', WebhookPayloadRef, [
  ValidationErrorRef,
  NotFoundErrorRef,
]);
const remove = resultUnion<{ webhook: Webhook }>(
  'DeleteWebhookResult',
  'The deleted webhook, or why nothing was deleted.',
  WebhookPayloadRef,
  [NotFoundErrorRef],
);
const test = resultUnion<{ delivery: WebhookDelivery }>('TestWebhookResult', 'The ping, or why none was sent.', TestWebhookPayloadRef, [
  NotFoundErrorRef,
]);

builder.queryFields((t) => ({
  webhooks: t.field({
    type: [WebhookRef],
    description: 'Every webhook (admins only).',
    resolve: (_root, _args, ctx) => ctx.registry.webhooks(ctx.access),
  }),
  webhook: t.field({
    type: WebhookRef,
    nullable: true,
    description: 'One webhook with its delivery log (admins only).',
    args: { id: t.arg.int({ required: true, description: 'The webhook id.' }) },
    resolve: (_root, args, ctx) => ctx.registry.webhook(ctx.access, args.id),
  }),
}));

builder.mutationFields((t) => ({
  createWebhook: t.field({
    type: create.union,
    description: 'Creates a webhook (admins only).',
    args: { input: t.arg({ type: CreateInput, required: true, description: 'The webhook.' }) },
    resolve: (_root, { input }, ctx) => create.run(ctx, () => ctx.registry.createWebhook(ctx.access, input)),
  }),
  updateWebhook: t.field({
    type: update.union,
    description: 'Changes a webhook (admins only).',
    args: { input: t.arg({ type: UpdateInput, required: true, description: 'The changes.' }) },
    resolve: (_root, { input }, ctx) => update.run(ctx, () => ctx.registry.updateWebhook(ctx.access, input)),
  }),
  deleteWebhook: t.field({
    type: remove.union,
    description: 'Deletes a webhook and its delivery log (admins only).',
    args: { input: t.arg({ type: IdInput, required: true, description: 'The webhook.' }) },
    resolve: (_root, { input }, ctx) => remove.run(ctx, () => ctx.registry.deleteWebhook(ctx.access, input)),
  }),
  testWebhook: t.field({
    type: test.union,
    description: 'Sends a signed ping (`event: null`) now and reports the outcome; recorded in the delivery log (admins only).',
    args: { input: t.arg({ type: IdInput, required: true, description: 'The webhook.' }) },
    resolve: (_root, { input }, ctx) => test.run(ctx, () => ctx.registry.testWebhook(ctx.access, input)),
  }),
}));
