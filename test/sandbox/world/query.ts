import type { Filter, Tag } from '@aws-sdk/client-ec2';
import { AwsError } from './awsError';

/** How to read a filter's values from an item: one string, several, a boolean, or nothing. */
export type FilterField<T> = (item: T) => string | number | boolean | undefined | null | (string | number | undefined | null)[];

/** AWS's filter wildcards: `*` any run of characters, `?` exactly one. */
function globMatch(pattern: string, value: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === value;
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
  return re.test(value);
}

/**
 * EC2's filter semantics: an item passes when every filter matches (AND), and a filter matches
 * when any of its values matches (OR). `tag:<key>`, `tag-key` and `tag-value` work on every
 * resource with tags. An unknown filter name is an error, as on AWS.
 */
export function applyFilters<T extends { tags?: Tag[] }>(items: T[], filters: Filter[] | undefined, fields: Record<string, FilterField<T>>): T[] {
  if (!filters || filters.length === 0) return items;
  const compiled = filters.map((filter) => {
    const name = filter.Name ?? '';
    const values = filter.Values ?? [];
    if (!name) throw new AwsError('InvalidParameterValue', 'The filter name must not be empty.');
    let read: FilterField<T> | undefined = fields[name];
    if (name.startsWith('tag:')) {
      const key = name.slice(4);
      read = (item) => (item.tags ?? []).filter((t) => t.Key === key).map((t) => t.Value ?? '');
    } else if (name === 'tag-key') {
      read = (item) => (item.tags ?? []).map((t) => t.Key ?? '');
    } else if (name === 'tag-value') {
      read = (item) => (item.tags ?? []).map((t) => t.Value ?? '');
    }
    if (!read) throw new AwsError('InvalidParameterValue', `The filter '${name}' is invalid`);
    return { read, values };
  });
  return items.filter((item) =>
    compiled.every(({ read, values }) => {
      const raw = read(item);
      const actual = (Array.isArray(raw) ? raw : [raw]).filter((v) => v !== undefined && v !== null).map(String);
      return values.some((pattern) => actual.some((value) => globMatch(pattern, value)));
    }),
  );
}

/** Converts `{key: value}` tags to the SDK's `[{Key, Value}]`. */
export function toTags(record: Record<string, string> | undefined): Tag[] {
  return Object.entries(record ?? {}).map(([Key, Value]) => ({ Key, Value }));
}

export function nameTag(tags: Tag[] | undefined): string | undefined {
  return tags?.find((t) => t.Key === 'Name')?.Value;
}

interface PageLimits {
  min: number;
  max: number;
  /** Page size when MaxResults is not given; all items when undefined. */
  defaultSize?: number;
}

/**
 * MaxResults/NextToken paging with opaque tokens bound to the operation, as EC2 does. A token
 * from another operation, or garbage, is refused with InvalidPaginationToken.
 */
export function paginate<T>(items: T[], operation: string, maxResults: number | undefined, nextToken: string | undefined, limits: PageLimits): { page: T[]; nextToken?: string } {
  if (maxResults !== undefined && (maxResults < limits.min || maxResults > limits.max)) {
    throw new AwsError('InvalidParameterValue', `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value between ${limits.min} and ${limits.max}.`);
  }
  let offset = 0;
  if (nextToken) {
    try {
      const decoded = JSON.parse(Buffer.from(nextToken, 'base64url').toString('utf8')) as { op?: unknown; offset?: unknown };
      if (decoded.op !== operation || typeof decoded.offset !== 'number' || decoded.offset < 0) throw new Error('mismatch');
      offset = decoded.offset;
    } catch {
      throw new AwsError('InvalidPaginationToken', `The pagination token '${nextToken.slice(0, 40)}' is invalid or has expired.`);
    }
  }
  const size = maxResults ?? limits.defaultSize ?? items.length;
  const page = items.slice(offset, offset + size);
  const next = offset + size < items.length ? Buffer.from(JSON.stringify({ op: operation, offset: offset + size })).toString('base64url') : undefined;
  return next ? { page, nextToken: next } : { page };
}
