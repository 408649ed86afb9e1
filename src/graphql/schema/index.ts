// The whole GraphQL schema: importing each type family registers it on the builder.
import { lexicographicSortSchema } from 'graphql';
import { requireCommandPerMutation } from '../authorization.ts';
import { builder } from '../builder.ts';
import './scalars.ts';
import './node.ts';
import './tag.ts';
import './registered-model.ts';
import './model-version.ts';
import './model-alias.ts';
import './audit-event.ts';
import './model-uri.ts';
import './errors.ts';
import './model-mutations.ts';
import './version-mutations.ts';
import './tag-mutations.ts';
import './alias-mutations.ts';
import './subscriptions.ts';
import './webhooks.ts';
import './tokens.ts';

builder.queryType({ description: 'Reads: models, versions, aliases, history.' });
builder.mutationType({ description: 'Writes. Each runs in one transaction with its audit events; typed errors are data.' });

export const schema = requireCommandPerMutation(lexicographicSortSchema(builder.toSchema()));
