import { describe, expect, it } from 'vitest';
import { AwsError } from '../../sandbox/world/awsError';
import { applyFilters, paginate } from '../../sandbox/world/query';

const items = [
  { id: 'a', state: 'running', tags: [{ Key: 'Name', Value: 'web-1' }] },
  { id: 'b', state: 'stopped', tags: [{ Key: 'Name', Value: 'web-22' }, { Key: 'Team', Value: 'ops' }] },
  { id: 'c', state: 'running', tags: [] },
];
const fields = { state: (i: (typeof items)[number]) => i.state, id: (i: (typeof items)[number]) => i.id };

describe('EC2 filters', () => {
  it('ANDs filters, ORs values, and understands * and ? and tags', () => {
    expect(applyFilters(items, [{ Name: 'tag:Name', Values: ['web-?'] }], fields).map((i) => i.id)).toEqual(['a']);
    expect(applyFilters(items, [{ Name: 'tag:Name', Values: ['web-*'] }, { Name: 'state', Values: ['stopped', 'x'] }], fields).map((i) => i.id)).toEqual(['b']);
    expect(applyFilters(items, [{ Name: 'tag-key', Values: ['Team'] }], fields).map((i) => i.id)).toEqual(['b']);
    expect(applyFilters(items, undefined, fields)).toHaveLength(3);
    expect(() => applyFilters(items, [{ Name: 'colour', Values: ['x'] }], fields)).toThrow(AwsError);
  });
});

describe('EC2 paging', () => {
  it('pages with tokens bound to the operation and refuses others', () => {
    const list = Array.from({ length: 12 }, (_, i) => i);
    const first = paginate(list, 'DescribeThings', 5, undefined, { min: 5, max: 1000 });
    expect(first.page).toEqual([0, 1, 2, 3, 4]);
    const second = paginate(list, 'DescribeThings', 5, first.nextToken, { min: 5, max: 1000 });
    const third = paginate(list, 'DescribeThings', 5, second.nextToken, { min: 5, max: 1000 });
    expect(third).toEqual({ page: [10, 11] });
    expect(() => paginate(list, 'DescribeOther', 5, first.nextToken, { min: 5, max: 1000 })).toThrow(/pagination token/);
    expect(() => paginate(list, 'DescribeThings', 3, undefined, { min: 5, max: 1000 })).toThrow(/Expecting a value between 5 and 1000/);
    expect(paginate(list, 'DescribeThings', undefined, undefined, { min: 1, max: 50, defaultSize: 10 }).page).toHaveLength(10);
  });
});
