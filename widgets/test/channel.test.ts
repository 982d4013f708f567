/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RequestChannel } from '../src/channel.js';

/** The view's request channel: one request in flight, the newest waiting one replaces older ones. */
interface Q {
  index: number;
}
interface R {
  id: number;
  index: number;
}

function channel() {
  const sent: { request: Q; id: number }[] = [];
  const ch = new RequestChannel<Q, R>((request, id) => sent.push({ request, id }), 1000);
  const answer = (k: number) => ch.handle({ id: sent[k].id, index: sent[k].request.index }, []);
  return { ch, sent, answer };
}

test('sends at once when idle and resolves with the matching response', async () => {
  const { ch, sent, answer } = channel();
  const p = ch.request({ index: 1 });
  assert.equal(sent.length, 1);
  assert.equal(ch.busy, true);
  assert.equal(ch.handle({ id: sent[0].id + 1, index: 1 }, []), false, 'other ids are not ours');
  assert.equal(answer(0), true);
  assert.deepEqual((await p)?.response, { id: sent[0].id, index: 1 });
  assert.equal(ch.busy, false);
});

test('while one is in flight, the latest request waits and older waiting ones are skipped', async () => {
  const { ch, sent, answer } = channel();
  const first = ch.request({ index: 1 });
  const second = ch.request({ index: 2 });
  const third = ch.request({ index: 3 });
  assert.equal(sent.length, 1, 'nothing more is sent while the first is in flight');
  assert.equal(await second, undefined, 'the second was replaced by the third');
  answer(0);
  assert.equal((await first)?.response.index, 1);
  assert.equal(sent.length, 2);
  assert.equal(sent[1].request.index, 3, 'the latest request goes next');
  answer(1);
  assert.equal((await third)?.response.index, 3);
});

test('a request without answer fails after the timeout and frees the channel', async () => {
  const sent: number[] = [];
  const ch = new RequestChannel<Q, R>((_, id) => sent.push(id), 20);
  await assert.rejects(ch.request({ index: 1 }), /did not answer/);
  assert.equal(ch.busy, false);
  const p = ch.request({ index: 2 });
  ch.handle({ id: sent[1], index: 2 }, []);
  assert.equal((await p)?.response.index, 2);
});

test('cancel drops what is in flight and waiting', async () => {
  const { ch } = channel();
  const a = ch.request({ index: 1 });
  const b = ch.request({ index: 2 });
  ch.cancel();
  assert.equal(await a, undefined);
  assert.equal(await b, undefined);
  assert.equal(ch.busy, false);
});
