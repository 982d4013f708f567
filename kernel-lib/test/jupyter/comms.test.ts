// Comm manager and widget models against a recording transport, without a kernel process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommManager, getKernelComms, type CommMessage, type JsonObject } from '../../src/jupyter/comms';
import { canDisplay } from '../../src/jupyter/display';
import { intSlider, WidgetModel } from '../../src/jupyter/ipywidgets';

interface Published {
  msgType: string;
  content: JsonObject;
  metadata: JsonObject;
  buffers: number[][];
}

function recordingManager(): { comms: CommManager; sent: Published[] } {
  const sent: Published[] = [];
  const comms = new CommManager({
    publish: (msgType, content, metadata = {}, buffers = []) => sent.push({ msgType, content, metadata, buffers: buffers.map((b) => [...b]) }),
  });
  return { comms, sent };
}

function incoming(msgType: string, content: CommMessage['content'], buffers: Uint8Array[] = []): CommMessage {
  const header = { msg_id: `${msgType}-1`, msg_type: msgType, session: 's', username: 'u', date: '', version: '5.3' };
  return { header, parent_header: {}, metadata: {}, content, buffers };
}

test('outside the Tessera kernel there is no comm manager and nothing to display to', () => {
  assert.equal(getKernelComms(), undefined);
  assert.equal(canDisplay(), false);
  assert.throws(() => new WidgetModel({ _model_name: 'M' }), /Tessera kernel/);
});

test('openComm publishes comm_open; send and close publish comm_msg and comm_close', () => {
  const { comms, sent } = recordingManager();
  const comm = comms.openComm('t', { a: 1 }, { v: '1' }, [new Uint8Array([7])]);
  comm.send({ b: 2 }, {}, [new Uint16Array([1])]);
  let closedBy: unknown = 'not closed';
  comm.onClose((msg) => (closedBy = msg));
  assert.deepEqual(comms.commInfo(), { [comm.commId]: { target_name: 't' } });
  comm.close();
  assert.equal(closedBy, undefined);
  assert.deepEqual(
    sent.map((s) => [s.msgType, s.content, s.buffers]),
    [
      ['comm_open', { comm_id: comm.commId, target_name: 't', data: { a: 1 } }, [[7]]],
      ['comm_msg', { comm_id: comm.commId, data: { b: 2 } }, [[1, 0]]],
      ['comm_close', { comm_id: comm.commId, data: {} }, []],
    ],
  );
  assert.deepEqual(comms.commInfo(), {});
  assert.throws(() => comm.send({}), /closed/);
});

test('frontend comms reach their target; unknown targets are refused with comm_close', () => {
  const { comms, sent } = recordingManager();
  const got: unknown[] = [];
  comms.registerTarget('echo', (comm, open) => {
    got.push(['open', open.content.data]);
    comm.onMsg((msg) => got.push(['msg', msg.content.data, msg.buffers.length]));
    comm.onClose((msg) => got.push(['close', msg?.header.msg_type]));
  });
  comms.handleOpen(incoming('comm_open', { comm_id: 'c1', target_name: 'echo', data: { x: 1 } }));
  comms.handleMsg(incoming('comm_msg', { comm_id: 'c1', data: { y: 2 } }, [new Uint8Array(3)]));
  assert.deepEqual(comms.commInfo('echo'), { c1: { target_name: 'echo' } });
  assert.deepEqual(comms.commInfo('other'), {});
  comms.handleClose(incoming('comm_close', { comm_id: 'c1', data: {} }));
  comms.handleOpen(incoming('comm_open', { comm_id: 'c2', target_name: 'nobody', data: {} }));
  assert.deepEqual(got, [['open', { x: 1 }], ['msg', { y: 2 }, 1], ['close', 'comm_close']]);
  assert.deepEqual(sent.map((s) => [s.msgType, s.content.comm_id]), [['comm_close', 'c2']]);
});

test('widget state: binary values become buffers with paths, models become references', () => {
  const { comms, sent } = recordingManager();
  const child = new WidgetModel({ _model_name: 'ChildModel' }, { comms });
  const model = new WidgetModel(
    { _model_name: 'M', child, data: new Uint8Array([1, 2]), nested: { list: [3, new Int8Array([-1])], raw: new ArrayBuffer(2) } },
    { comms },
  );
  const open = sent[1];
  assert.equal(open.msgType, 'comm_open');
  assert.deepEqual(open.metadata, { version: '2.1.0' });
  assert.deepEqual(open.content.data, {
    state: { _model_name: 'M', child: `IPY_MODEL_${child.modelId}`, nested: { list: [3, null] } },
    buffer_paths: [['data'], ['nested', 'list', 1], ['nested', 'raw']],
  });
  assert.deepEqual(open.buffers, [[1, 2], [255], [0, 0]]);
  assert.ok(model.state.data instanceof Uint8Array, 'the kernel-side state keeps the original values');
});

test('widget update from the frontend is applied, echoed and reported as a change', () => {
  const { comms, sent } = recordingManager();
  const slider = intSlider({ value: 5 }, { comms });
  const changes: unknown[] = [];
  slider.onChange((c, origin) => changes.push([origin, c]));
  sent.length = 0;
  const update = { comm_id: slider.modelId, data: { method: 'update', state: { value: 9, img: null }, buffer_paths: [['img']] } };
  comms.handleMsg(incoming('comm_msg', update, [new Uint8Array([4, 5])]));
  assert.equal(slider.get('value'), 9);
  assert.ok(slider.state.img instanceof DataView);
  assert.deepEqual(sent.map((s) => [s.content.data, s.buffers]), [
    [{ method: 'echo_update', state: { value: 9 }, buffer_paths: [['img']] }, [[4, 5]]],
  ]);
  slider.set({ value: 1 });
  assert.deepEqual(sent[1].content.data, { method: 'update', state: { value: 1 }, buffer_paths: [] });
  assert.deepEqual(changes.map((c) => (c as [string, JsonObject])[0]), ['frontend', 'kernel']);
});
