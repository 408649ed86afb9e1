import { builder } from '../builder.ts';
import { TagRef } from './refs.ts';

TagRef.implement({
  description: 'A key-value annotation, e.g. task=sentiment_analysis or approved=true.',
  fields: (t) => ({
    key: t.exposeString('key', { description: 'The tag key: 1-250 characters of letters, digits, `_ - . / : ` and space.' }),
    value: t.exposeString('value', { description: 'The tag value: up to 100,000 characters, may be empty.' }),
  }),
});

export const TagInputRef = builder.inputType('TagInput', {
  description: 'A tag to set.',
  fields: (t) => ({
    key: t.string({ required: true, description: 'The tag key (1-250 characters, see Tag.key).' }),
    value: t.string({ required: true, description: 'The tag value (up to 100,000 characters, may be empty).' }),
  }),
});

export const TagFilterRef = builder.inputType('TagFilter', {
  description: 'Matches objects that carry tag `key`; with `value`, only when it equals `value`.',
  fields: (t) => ({
    key: t.string({ required: true, description: 'The tag key that must be present.' }),
    value: t.string({ description: 'When given, the value the tag must have (exact match).' }),
  }),
});

/** A tag's value by key from an already sorted, batch-loaded list. */
export function tagValue(tags: readonly { key: string; value: string }[], key: string): string | null {
  return tags.find((tag) => tag.key === key)?.value ?? null;
}
