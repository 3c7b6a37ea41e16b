import { OWNERSHIP_MEMO_ROWS, ReadMemo } from './ReadMemo';

describe('ReadMemo', () => {
  it('keeps an answer per generation and key, and shares concurrent reads', async () => {
    const memo = new ReadMemo();
    const read = jest.fn(async () => ({ rows: [1, 2] }));
    const [a, b] = await Promise.all([
      memo.get(1, { q: 'x' }, read),
      memo.get(1, { q: 'x' }, read),
    ]);
    expect(a).toBe(b);
    expect(await memo.get(1, { q: 'x' }, read)).toBe(a);
    expect(read).toHaveBeenCalledTimes(1);
    await memo.get(1, { q: 'y' }, read);
    await memo.get(2, { q: 'x' }, read);
    expect(read).toHaveBeenCalledTimes(3);
  });

  it('does not keep a failed read', async () => {
    const memo = new ReadMemo();
    const read = jest
      .fn<Promise<string>, []>()
      .mockRejectedValueOnce(new Error('database gone'))
      .mockResolvedValueOnce('answer');
    await expect(memo.get(1, 'k', read)).rejects.toThrow('database gone');
    await expect(memo.get(1, 'k', read)).resolves.toBe('answer');
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('holds at most OWNERSHIP_MEMO_ROWS rows, forgetting the least recently used', async () => {
    const memo = new ReadMemo();
    const pageOf = (n: number) => async () =>
      Array.from({ length: n }, (_, i) => i);
    const rows = (page: number[]) => page.length;
    const half = OWNERSHIP_MEMO_ROWS / 2;
    await memo.get(1, 'a', pageOf(half), rows);
    await memo.get(1, 'b', pageOf(half), rows);
    expect(memo.size).toBe(2);
    await memo.get(1, 'c', pageOf(half), rows);
    expect(memo.size).toBe(2);
    const again = jest.fn(pageOf(1));
    await memo.get(1, 'a', again, rows);
    expect(again).toHaveBeenCalledTimes(1);
  });
});
