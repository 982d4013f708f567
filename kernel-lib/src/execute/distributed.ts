export async function runDistributed(_: unknown): Promise<void> { throw new Error('todo'); }
