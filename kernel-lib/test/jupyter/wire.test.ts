import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { decodeMessage, encodeMessage, newHeader, Signer, type JupyterMessage } from '../../src/jupyter/wire';

const KEY = 'a0436f6c-1916-498b-8eb9-e81ab9368e84';

function sample(): JupyterMessage {
  return {
    header: newHeader('comm_msg', 'session-1'),
    parent_header: {},
    metadata: { m: 1 },
    content: { comm_id: 'c', data: { x: [1, 2] } },
    buffers: [new Uint8Array([0, 1, 255]), new Uint8Array(new Float64Array([1.5]).buffer), new Uint8Array(0)],
  };
}

const asBuffers = (frames: (Buffer | string)[]) => frames.map((f) => Buffer.from(f));

test('encode/decode round-trips identities, JSON parts and binary buffers', () => {
  const signer = new Signer(KEY);
  const msg = sample();
  const frames = asBuffers(encodeMessage(msg, signer, [Buffer.from('client-id')]));
  const back = decodeMessage(frames, signer);
  assert.deepEqual(back.identities, [Buffer.from('client-id')]);
  assert.deepEqual(back.header, msg.header);
  assert.deepEqual(back.content, msg.content);
  assert.deepEqual(back.metadata, msg.metadata);
  assert.deepEqual(
    back.buffers.map((b) => [...b]),
    [[0, 1, 255], [...new Uint8Array(new Float64Array([1.5]).buffer)], []],
  );
});

test('the signature covers the four JSON frames only, as jupyter_client signs', () => {
  const frames = asBuffers(encodeMessage(sample(), new Signer(KEY), []));
  // frames: <IDS|MSG>, signature, header, parent, metadata, content, buffers...
  const expected = createHmac('sha256', KEY);
  for (const f of frames.slice(2, 6)) expected.update(f);
  assert.equal(frames[1].toString(), expected.digest('hex'));
  // Changing a buffer keeps the message valid; changing the content does not.
  frames[6] = Buffer.from('other bytes');
  assert.doesNotThrow(() => decodeMessage(frames, new Signer(KEY)));
  frames[5] = Buffer.from('{"comm_id":"forged"}');
  assert.throws(() => decodeMessage(frames, new Signer(KEY)), /signature/);
});

test('an empty key disables signing', () => {
  const frames = asBuffers(encodeMessage(sample(), new Signer(''), []));
  assert.equal(frames[1].toString(), '');
  assert.equal(decodeMessage(frames, new Signer('')).header.msg_type, 'comm_msg');
});

test('a message without delimiter is rejected', () => {
  assert.throws(() => decodeMessage([Buffer.from('x'), Buffer.from('{}')], new Signer(KEY)), /delimiter/);
});
