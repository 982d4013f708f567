"""Drives the real Tessera kernel over ZeroMQ with jupyter_client, as a frontend would, and prints
what it observed as one JSON object on stdout; kernel.test.ts asserts on it.

Usage: python drive_kernel.py KERNEL_CWD
The kernelspec 'tessera' must be on JUPYTER_PATH; KERNEL_CWD must resolve the `tessera` package.
Each scenario reports its observations or {"error": ...}, so one failure does not hide the others.
"""
import hashlib
import json
import queue
import sys
import time
import traceback

from jupyter_client.manager import start_new_kernel

TIMEOUT = 20
IMPORTS = 'import { getKernelComms, intSlider, display, displayMimeBundle, WidgetModel } from "tessera/dist/src/jupyter";'


def sha(b):
    return hashlib.sha256(bytes(b)).hexdigest()


def parent_id(msg):
    return msg['parent_header'].get('msg_id')


class Frontend:
    """A minimal frontend: sends shell messages (with buffers) and matches replies and IOPub
    messages by predicate, keeping unmatched ones for later waits."""

    def __init__(self, cwd):
        self.km, self.kc = start_new_kernel(kernel_name='tessera', cwd=cwd, startup_timeout=30)
        self.iopub_backlog = []
        self.shell_backlog = []

    def send(self, msg_type, content, buffers=(), metadata=None):
        msg = self.kc.session.msg(msg_type, content, metadata=metadata or {})
        self.kc.session.send(self.kc.shell_channel.socket, msg, buffers=list(buffers))
        return msg['header']['msg_id']

    def _wait(self, backlog, get, pred, timeout, what):
        for i, m in enumerate(backlog):
            if pred(m):
                return backlog.pop(i)
        deadline = time.time() + timeout
        while True:
            try:
                m = get(timeout=max(0.01, deadline - time.time()))
            except queue.Empty:
                raise TimeoutError(f'no {what} within {timeout}s') from None
            if pred(m):
                return m
            backlog.append(m)

    def iopub(self, pred, timeout=TIMEOUT, what='iopub message'):
        return self._wait(self.iopub_backlog, self.kc.get_iopub_msg, pred, timeout, what)

    def reply(self, msg_id, timeout=TIMEOUT):
        return self._wait(self.shell_backlog, self.kc.get_shell_msg, lambda m: parent_id(m) == msg_id, timeout, 'reply')

    def request(self, msg_type, content):
        return self.reply(self.send(msg_type, content))['content']

    def comm_msg(self, pred, what='comm_msg'):
        return self.iopub(lambda m: m['msg_type'] == 'comm_msg' and pred(m), what=what)

    def execute(self, code):
        return self.kc.execute(code)

    def result(self, msg_id, timeout=TIMEOUT):
        """The reply of an execute request and all IOPub messages parented to it, up to its idle."""
        reply = self.reply(msg_id, timeout)
        msgs = []
        while True:
            m = self.iopub(lambda m: parent_id(m) == msg_id, timeout, 'idle')
            if m['msg_type'] == 'status' and m['content']['execution_state'] == 'idle':
                break
            msgs.append(m)
        if reply['content']['status'] == 'error':
            time.sleep(0.3)  # tslab aborts execute requests that arrive within 200 ms of an error
        stream = lambda name: ''.join(m['content']['text'] for m in msgs if m['msg_type'] == 'stream' and m['content']['name'] == name)
        return {'status': reply['content']['status'], 'stdout': stream('stdout'), 'stderr': stream('stderr'), 'msgs': msgs}

    def run(self, code, timeout=TIMEOUT):
        return self.result(self.execute(code), timeout)

    def run_json(self, code):
        """Runs a cell whose last stdout line is JSON; returns it."""
        r = self.run(code)
        if r['status'] != 'ok':
            raise RuntimeError(f'cell failed: {r["stderr"] or r["status"]}\n{code}')
        return json.loads(r['stdout'].strip().splitlines()[-1])


def scenario_execute(fe):
    r = fe.run('const answer: number = 20;\nawait new Promise((resolve) => setTimeout(resolve, 50));\nanswer + 22')
    setup = fe.run(IMPORTS + '\nconst comms = getKernelComms()!;\nconsole.log(comms !== undefined)')
    failing = fe.run('const bad: number = "not a number";')
    return {
        'status': r['status'], 'stdout': r['stdout'],
        'comms_found': setup['stdout'].strip(), 'setup_stderr': setup['stderr'],
        'type_error_status': failing['status'], 'type_error_stderr': failing['stderr'],
    }


def scenario_comm_info(fe):
    cell = fe.execute('const infoComm = comms.openComm("tessera.test.info", { hello: "world" }, { meta: 1 });')
    r = fe.result(cell)
    opens = [m for m in r['msgs'] if m['msg_type'] == 'comm_open']
    comm_id = opens[0]['content']['comm_id'] if opens else None
    return {
        'status': r['status'],
        'open_content': opens[0]['content'] if opens else None,
        'open_metadata': opens[0]['metadata'] if opens else None,
        'comm_id': comm_id,
        'filtered': fe.request('comm_info_request', {'target_name': 'tessera.test.info'}),
        'other_target': fe.request('comm_info_request', {'target_name': 'no.such.target'}),
        'all': fe.request('comm_info_request', {}),
    }


ECHO_CELL = '''
comms.registerTarget("tessera.test.echo", (comm, open) => {
  comm.send({ opened: open.content.data }, {}, open.buffers);
  comm.onMsg((msg) => comm.send({ echo: msg.content.data }, { echoed: true }, msg.buffers));
});
'''


def scenario_echo(fe):
    fe.run(ECHO_CELL)
    comm_id = 'echo-comm-1'
    open_id = fe.send('comm_open', {'comm_id': comm_id, 'target_name': 'tessera.test.echo', 'data': {'x': 1}}, buffers=[b'open'])
    opened = fe.comm_msg(lambda m: m['content']['comm_id'] == comm_id)
    mib = hashlib.sha256(b'seed').digest() * ((1 << 20) // 32)  # 1 MiB of non-trivial bytes
    buffers = [bytes(range(256)), mib, b'', b'\x00\xff' * 1000]
    msg_id = fe.send('comm_msg', {'comm_id': comm_id, 'data': {'ping': [1, 2]}}, buffers=buffers)
    echo = fe.comm_msg(lambda m: parent_id(m) == msg_id)
    listed = comm_id in fe.request('comm_info_request', {})['comms']
    fe.send('comm_close', {'comm_id': comm_id, 'data': {}})
    time.sleep(0.1)
    unknown_id = fe.send('comm_open', {'comm_id': 'nobody-home', 'target_name': 'no.such.target', 'data': {}})
    refused = fe.iopub(lambda m: m['msg_type'] == 'comm_close' and parent_id(m) == unknown_id, what='comm_close')
    return {
        'opened_data': opened['content']['data'],
        'opened_parent_is_open': parent_id(opened) == open_id,
        'opened_buffers': [bytes(b).decode() for b in opened['buffers']],
        'echo_data': echo['content']['data'],
        'echo_metadata': echo['metadata'],
        'sent_sha': [sha(b) for b in buffers],
        'echo_sha': [sha(b) for b in echo['buffers']],
        'sent_sizes': [len(b) for b in buffers],
        'echo_sizes': [len(bytes(b)) for b in echo['buffers']],
        'listed_while_open': listed,
        'listed_after_close': comm_id in fe.request('comm_info_request', {})['comms'],
        'unknown_target_closed': refused['content']['comm_id'],
    }


ASYNC_CELL = '''
const waiter = comms.openComm("tessera.test.wait", {});
const received = await new Promise<any>((resolve) => waiter.onMsg((m) => resolve(m.content.data)));
for (let i = 0; i < 3; i++) {
  waiter.send({ tick: i });
  await new Promise((resolve) => setTimeout(resolve, 20));
}
received.value * 2
'''


def scenario_async_comm(fe):
    """The cell awaits a comm message from the frontend: only works if comm messages are handled
    while the cell runs, not queued behind it."""
    cell = fe.execute(ASYNC_CELL)
    opened = fe.iopub(lambda m: m['msg_type'] == 'comm_open' and m['content']['target_name'] == 'tessera.test.wait', what='comm_open')
    sent_at = time.time()
    fe.send('comm_msg', {'comm_id': opened['content']['comm_id'], 'data': {'value': 21}})
    r = fe.result(cell)
    ticks = [m for m in r['msgs'] if m['msg_type'] == 'comm_msg']
    return {
        'status': r['status'], 'stdout': r['stdout'],
        'open_parent_is_cell': parent_id(opened) == cell,
        'ticks': [m['content']['data'].get('tick') for m in ticks],
        'seconds_after_comm_msg': time.time() - sent_at,
    }


WIDGET_CELL = '''
const slider = intSlider({ value: 5, max: 10, description: "x" });
const seen: unknown[] = [];
slider.onChange((changes, origin) => seen.push([origin, changes.value]));
display(slider);
const blob = new WidgetModel({
  _model_module: "tessera-test", _model_module_version: "1.0.0", _model_name: "BlobModel",
  _view_module: null, _view_module_version: "", _view_name: null,
  shape: [2, 3],
  data: new Uint8Array([1, 2, 3, 4, 5, 250]),
  nested: { parts: [new Float32Array([1.5]), 7] },
});
blob.onCustom((content, buffers) => blob.sendCustom({ got: content, sizes: buffers.map((b) => b.byteLength) }, buffers));
console.log(JSON.stringify({ slider: slider.modelId, blob: blob.modelId }));
'''


def scenario_widgets(fe):
    import ipywidgets
    reference = ipywidgets.IntSlider().get_state()
    r = fe.run(WIDGET_CELL)
    if r['status'] != 'ok':
        raise RuntimeError(r['stderr'])
    ids = json.loads(r['stdout'].strip().splitlines()[-1])
    opens = {m['content']['comm_id']: m for m in r['msgs'] if m['msg_type'] == 'comm_open'}
    slider_open = opens[ids['slider']]
    slider_state = slider_open['content']['data']['state']
    ref = lambda v: opens.get(v[len('IPY_MODEL_'):]) if isinstance(v, str) and v.startswith('IPY_MODEL_') else None
    layout, style = ref(slider_state.get('layout')), ref(slider_state.get('style'))
    displays = [m['content'] for m in r['msgs'] if m['msg_type'] == 'display_data']
    blob_open = opens[ids['blob']]
    out = {
        'target_names': sorted({m['content']['target_name'] for m in opens.values()}),
        'open_metadata': slider_open['metadata'],
        'slider_keys': sorted(slider_state), 'reference_keys': sorted(reference),
        'slider_fields': {k: v for k, v in slider_state.items() if k.startswith('_')},
        'reference_fields': {k: v for k, v in reference.items() if k.startswith('_')},
        'slider_values': {k: slider_state[k] for k in ('value', 'max', 'description')},
        'layout_model': layout and layout['content']['data']['state']['_model_name'],
        'style_model': style and style['content']['data']['state']['_model_name'],
        'display': displays,
        'blob_open_paths': blob_open['content']['data']['buffer_paths'],
        'blob_open_buffers': [list(bytes(b)) for b in blob_open['buffers']],
        'blob_open_state': blob_open['content']['data']['state'],
    }

    # Frontend changes the slider: the kernel echoes (parented to the update) and applies it.
    update_id = fe.send('comm_msg', {'comm_id': ids['slider'], 'data': {'method': 'update', 'state': {'value': 7}, 'buffer_paths': []}})
    echo = fe.comm_msg(lambda m: parent_id(m) == update_id, 'echo_update')
    out['echo'] = echo['content']['data']
    out['after_update'] = fe.run_json('console.log(JSON.stringify({ value: slider.state.value, seen: seen }))')

    # Kernel changes the slider.
    r = fe.run('slider.set({ value: 3 });')
    out['kernel_set'] = [m['content']['data'] for m in r['msgs'] if m['msg_type'] == 'comm_msg']

    # request_state: full state back, binary fields as buffers.
    req = fe.send('comm_msg', {'comm_id': ids['blob'], 'data': {'method': 'request_state'}})
    state = fe.comm_msg(lambda m: parent_id(m) == req, 'request_state answer')
    out['request_state'] = {
        'data': state['content']['data'],
        'buffers': [list(bytes(b)) for b in state['buffers']],
    }

    # Frontend sends binary state; the kernel sees a DataView.
    upd = fe.send('comm_msg', {'comm_id': ids['blob'], 'data': {'method': 'update', 'state': {'data': None}, 'buffer_paths': [['data']]}}, buffers=[b'\x09\x08\x07'])
    bin_echo = fe.comm_msg(lambda m: parent_id(m) == upd, 'binary echo_update')
    out['binary_echo'] = {'data': bin_echo['content']['data'], 'buffers': [list(bytes(b)) for b in bin_echo['buffers']]}
    out['binary_seen'] = fe.run_json('const d = blob.state.data as unknown as DataView;\nconsole.log(JSON.stringify({ isDataView: d instanceof DataView, bytes: Array.from(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)) }))')

    # Custom messages both ways.
    custom = fe.send('comm_msg', {'comm_id': ids['blob'], 'data': {'method': 'custom', 'content': {'ping': 1}}}, buffers=[b'xyz'])
    reply = fe.comm_msg(lambda m: parent_id(m) == custom, 'custom reply')
    out['custom'] = {'data': reply['content']['data'], 'buffers': [bytes(b).decode() for b in reply['buffers']]}

    # The widget manager's control comm: all states in one message.
    fe.send('comm_open', {'comm_id': 'control-1', 'target_name': 'jupyter.widget.control', 'data': {}}, metadata={'version': '1.0.0'})
    states_req = fe.send('comm_msg', {'comm_id': 'control-1', 'data': {'method': 'request_states'}})
    states = fe.comm_msg(lambda m: parent_id(m) == states_req, 'update_states')
    data = states['content']['data']
    out['control'] = {
        'method': data['method'],
        'has_models': [i in data['states'] for i in (ids['slider'], ids['blob'])],
        'slider_entry': {k: v for k, v in data['states'][ids['slider']].items() if k != 'state'},
        'slider_value': data['states'][ids['slider']]['state']['value'],
        'buffer_paths': data['buffer_paths'],
        'buffers': [list(bytes(b)) for b in states['buffers']],
        'ids': ids,
    }
    return out


BURST_CELL = '''
const burst = comms.openComm("tessera.test.burst", {});
for (let i = 0; i < 10000; i++) burst.send({ i }, {}, [new Uint8Array(64)]);
for (let i = 0; i < 3000; i++) console.log(i);
'''


def scenario_burst(fe):
    """Thousands of messages from a synchronous loop: none may be dropped (IOPub high-water mark)."""
    r = fe.run(BURST_CELL)
    return {
        'status': r['status'],
        'comm_msgs': sum(1 for m in r['msgs'] if m['msg_type'] == 'comm_msg'),
        'stdout_lines': r['stdout'].count('\n'),
    }


DISPLAY_CELL = '''
import * as tslab from "tslab";
displayMimeBundle({ "image/png": new Uint8Array([137, 80, 78, 71]), "text/plain": "a png" }, { "image/png": { width: 1 } }, { displayId: "img" });
displayMimeBundle({ "text/plain": "replaced" }, {}, { displayId: "img", update: true });
tslab.display.html("<b>tslab</b>");
'''


def scenario_display(fe):
    r = fe.run(DISPLAY_CELL)
    return {'status': r['status'], 'stderr': r['stderr'], 'outputs': [[m['msg_type'], m['content']] for m in r['msgs'] if 'display' in m['msg_type']]}


RICH_CELL = '''
import * as tessera from "tessera";
await tessera.init();
const img = tessera.push(new Uint16Array([1, 2, 3, 4, 5, 6]), [2, 3]);
img
'''


def scenario_rich_display(fe):
    """A GPU image as a cell's last expression shows an insight view, not a printed line."""
    r = fe.run(RICH_CELL, timeout=60)
    displays = [m['content'] for m in r['msgs'] if m['msg_type'] == 'display_data']
    return {'status': r['status'], 'stderr': r['stderr'], 'stdout': r.get('stdout', ''),
            'mimes': [sorted(d['data'].keys()) for d in displays]}


COMPARISON_CELL = '''
import * as tessera from "tessera";
await tessera.blandAltman([1, 2, 3, 4, 5.5], [1.1, 2, 2.9, 4.2, 5.4], { names: ["Tessera", "scikit-image"] })
'''


def scenario_comparison_display(fe):
    """A Bland-Altman result as a cell's last expression shows its interpretation and a Vega-Lite plot."""
    r = fe.run(COMPARISON_CELL, timeout=60)
    displays = [m['content'] for m in r['msgs'] if m['msg_type'] == 'display_data']
    return {'status': r['status'], 'stderr': r['stderr'], 'stdout': r.get('stdout', ''),
            'mimes': [sorted(d['data'].keys()) for d in displays],
            'markdown': displays[0]['data'].get('text/markdown', '') if displays else '',
            'schema': displays[-1]['data'].get('application/vnd.vegalite.v5+json', {}).get('$schema', '') if displays else ''}


def interrupt_cell(fe, code):
    cell = fe.execute(code)
    fe.iopub(lambda m: parent_id(m) == cell and m['msg_type'] == 'stream' and 'started' in m['content']['text'], what='started')
    start = time.time()
    fe.km.interrupt_kernel()
    r = fe.result(cell, timeout=10)
    return {'status': r['status'], 'seconds': time.time() - start, 'stderr': r['stderr'][:200]}


# "started" comes after the first await so that SIGINT hits the await, not the synchronous start.
ASYNC_LOOP = '''
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
await sleep(10);
console.log("started");
while (true) await sleep(10);
'''


def scenario_interrupt(fe):
    return {
        'async': interrupt_cell(fe, ASYNC_LOOP),
        'sync': interrupt_cell(fe, 'console.log("started");\nwhile (true) {}'),
        'after': fe.run('6 * 7')['stdout'],
    }


def scenario_restart(fe):
    fe.run('(globalThis as any).tesseraMarker = 1;')
    start = time.time()
    fe.km.restart_kernel(now=False)
    fe.kc.wait_for_ready(timeout=30)
    seconds = time.time() - start
    fe.iopub_backlog.clear()
    r = fe.run('console.log(typeof (globalThis as any).tesseraMarker)')
    info = fe.request('comm_info_request', {})
    return {'seconds': seconds, 'status': r['status'], 'stdout': r['stdout'], 'comms_after': info['comms']}


def scenario_shutdown(fe):
    start = time.time()
    fe.km.shutdown_kernel(now=False)
    return {'seconds': time.time() - start, 'alive': fe.km.is_alive()}


def main():
    results = {}
    started = time.time()
    fe = Frontend(sys.argv[1])
    results['startup_seconds'] = time.time() - started
    for name, fn in [
        ('execute', scenario_execute), ('comm_info', scenario_comm_info), ('echo', scenario_echo),
        ('async_comm', scenario_async_comm), ('burst', scenario_burst), ('widgets', scenario_widgets), ('display', scenario_display), ('rich_display', scenario_rich_display),
        ('comparison_display', scenario_comparison_display),
        ('interrupt', scenario_interrupt), ('restart', scenario_restart), ('shutdown', scenario_shutdown),
    ]:
        t = time.time()
        try:
            results[name] = fn(fe)
        except Exception as e:
            results[name] = {'error': f'{type(e).__name__}: {e}', 'traceback': traceback.format_exc()}
        print(f'{name}: {time.time() - t:.1f}s', file=sys.stderr)
    if fe.km.is_alive():
        fe.km.shutdown_kernel(now=True)
    fe.kc.stop_channels()
    json.dump(results, sys.stdout)


if __name__ == '__main__':
    main()
