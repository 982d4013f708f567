"""Drives the real Tessera kernel over ZeroMQ with jupyter_client, as a frontend would, and prints
what it observed as one JSON object into RESULTS_JSON (not stdout: the kernel shares it);
kernel.test.ts asserts on it.

Usage: python drive_kernel.py NOTEBOOK_FOLDER RESULTS_JSON
The kernelspec 'tessera' must be on JUPYTER_PATH. The kernel runs in NOTEBOOK_FOLDER, a folder
outside the repository (kernel.test.ts makes it, with a user package, a decoy `tessera` package
and a local .ts module), as a user's own notebook would.
Each scenario reports its observations or {"error": ...}, so one failure does not hide the others.
"""
import hashlib
import json
import queue
import re
import sys
import time
import traceback

from jupyter_client.manager import start_new_kernel

TIMEOUT = 20
IMPORTS = 'import { getKernelComms, intSlider, display, displayMimeBundle, clearOutput, WidgetModel, MIME_BUNDLE, interruptSignal } from "tessera/jupyter";'


def sha(b):
    return hashlib.sha256(bytes(b)).hexdigest()


def parent_id(msg):
    return msg['parent_header'].get('msg_id')


def plain(text):
    """Text without ANSI colour codes."""
    return re.sub(r'\x1b\[[0-9;]*m', '', text)


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

    def execute(self, code, **kwargs):
        return self.kc.execute(code, **kwargs)

    def result(self, msg_id, timeout=TIMEOUT):
        """The reply of an execute request and all IOPub messages parented to it, up to its idle."""
        reply = self.reply(msg_id, timeout)
        msgs = []
        while True:
            m = self.iopub(lambda m: parent_id(m) == msg_id, timeout, 'idle')
            if m['msg_type'] == 'status' and m['content']['execution_state'] == 'idle':
                break
            msgs.append(m)
        stream = lambda name: ''.join(m['content']['text'] for m in msgs if m['msg_type'] == 'stream' and m['content']['name'] == name)
        of_type = lambda t: [m['content'] for m in msgs if m['msg_type'] == t]
        results = of_type('execute_result')
        errors = of_type('error')
        return {
            'status': reply['content']['status'], 'reply': reply['content'],
            'stdout': stream('stdout'), 'stderr': stream('stderr'), 'msgs': msgs,
            'inputs': of_type('execute_input'), 'results': results, 'errors': errors,
            # The text of the cell's value (its execute_result), as Jupyter shows it in Out[n].
            'value': results[0]['data'].get('text/plain') if results else None,
            'traceback': plain('\n'.join(errors[0]['traceback'])) if errors else None,
        }

    def run(self, code, timeout=TIMEOUT, **kwargs):
        return self.result(self.execute(code, **kwargs), timeout)

    def run_json(self, code, timeout=TIMEOUT):
        """Runs a cell whose last stdout line is JSON; returns it."""
        r = self.run(code, timeout)
        if r['status'] != 'ok':
            raise RuntimeError(f'cell failed: {r["traceback"] or r["stderr"] or r["status"]}\n{code}')
        return json.loads(r['stdout'].strip().splitlines()[-1])


def scenario_execute(fe):
    r = fe.run('const answer: number = 20;\nawait new Promise((resolve) => setTimeout(resolve, 50));\nanswer + 22')
    setup = fe.run(IMPORTS + '\nconst comms = getKernelComms()!;\nconsole.log(comms !== undefined)')
    failing = fe.run('const bad: number = "not a number";')
    return {
        'status': r['status'], 'value': r['value'],
        'comms_found': setup['stdout'].strip(), 'setup_error': setup['traceback'],
        'type_error_status': failing['status'], 'type_error': failing['errors'][0] if failing['errors'] else None,
        'type_error_traceback': failing['traceback'],
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
        'status': r['status'], 'value': r['value'],
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
displayMimeBundle({ "image/png": new Uint8Array([137, 80, 78, 71]), "text/plain": "a png" }, { "image/png": { width: 1 } }, { displayId: "img" });
displayMimeBundle({ "text/plain": "replaced" }, {}, { displayId: "img", update: true });
void displayMimeBundle({ "text/html": "<b>html</b>" });
'''


def scenario_display(fe):
    r = fe.run(DISPLAY_CELL)
    cleared = fe.run('console.log("before");\nclearOutput(true);')
    return {
        'status': r['status'], 'failure': r['traceback'], 'results': r['results'],
        'outputs': [[m['msg_type'], m['content']] for m in r['msgs'] if 'display' in m['msg_type']],
        'clear': [[m['msg_type'], m['content']] for m in cleared['msgs'] if m['msg_type'] in ('stream', 'clear_output')],
    }


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
    return {'status': r['status'], 'failure': r['traceback'], 'stdout': r.get('stdout', ''), 'results': r['results'],
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
    time.sleep(0.3)
    start = time.time()
    fe.km.interrupt_kernel()
    r = fe.result(cell, timeout=10)
    return {'status': r['status'], 'seconds': time.time() - start, 'reported': r['errors'][0] if r['errors'] else None, 'shown': r['traceback']}


# "started" comes after the first await so that SIGINT hits an await, not the synchronous start.
# The loop counts its turns: after the interrupt, the count must stay where it was.
ASYNC_LOOP = '''
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
await sleep(10);
console.log("started");
while (true) {
  (globalThis as any).turns = ((globalThis as any).turns ?? 0) + 1;
  await sleep(10);
}
'''

# Work the cell does not await (an animation's timer, a tiled job) stops when it checks the signal.
SIGNAL_LOOP = '''
const signal = interruptSignal();
const timer = setInterval(() => {
  if (signal.aborted) return clearInterval(timer);
  (globalThis as any).timerTurns = ((globalThis as any).timerTurns ?? 0) + 1;
}, 5);
await new Promise((resolve) => setTimeout(resolve, 20));
console.log("started");
await new Promise(() => {}); // waits for ever
'''

# A GPU loop whose every turn leaves an image behind, unreachable.
GPU_LOOP = '''
await tessera.init();
const keep = tessera.push(new Float32Array(256 * 256).fill(1), [256, 256]);
await tessera.sync();
const inUseBefore = tessera.memoryStats().bytesInUse;
let gpuTurns = 0;
for (;;) {
  tessera.gaussianBlur(keep, 1);
  await tessera.sync();
  if (++gpuTurns === 30) console.log("started");
}
'''


def count_after(fe, expression):
    """The value of a global counter, twice, 300 ms apart."""
    first = fe.run_json(f'console.log(JSON.stringify({expression}))')
    time.sleep(0.3)
    return [first, fe.run_json(f'console.log(JSON.stringify({expression}))')]


def scenario_interrupt(fe):
    out = {'async': interrupt_cell(fe, ASYNC_LOOP)}
    out['turns'] = count_after(fe, '(globalThis as any).turns')
    out['sync'] = interrupt_cell(fe, 'console.log("started");\nwhile (true) {}')
    out['signal'] = interrupt_cell(fe, SIGNAL_LOOP)
    out['timer_turns'] = count_after(fe, '(globalThis as any).timerTurns')
    out['gpu'] = interrupt_cell(fe, GPU_LOOP)
    out['memory'] = fe.run_json('console.log(JSON.stringify({ inUse: tessera.memoryStats().bytesInUse, inUseBefore, gpuTurns, keep: keep.nbytes }))')
    out['after'] = fe.run('6 * 7')['value']
    return out


RESOLUTION_CELL = '''
import { greet } from "user-helper";
import { twice } from "./helpers";
import * as tessera from "tessera";
import * as widgets from "tessera/widgets";
[greet("notebook"), twice(21), typeof tessera.push, typeof widgets.slice]
'''


def scenario_resolution(fe):
    """A notebook outside the repository: its own packages and files, and the kernel's tessera."""
    r = fe.run(RESOLUTION_CELL, timeout=60)
    return {'status': r['status'], 'failure': r['traceback'], 'value': r['value']}


RICH_RESULT_CELL = '''
class Swatch {
  constructor(readonly colour: string) {}
  [MIME_BUNDLE]() {
    return { "text/html": `<div style="background:${this.colour}">${this.colour}</div>` };
  }
}
new Swatch("teal")
'''


def scenario_results(fe):
    r = fe.run('1 + 2')
    quiet = fe.run('const nothing = undefined;\nnothing')
    text = fe.run('"abc"')
    rich = fe.run(RICH_RESULT_CELL)
    silent = fe.run('1 + 1', silent=True)
    return {
        'value': r['value'], 'inputs': r['inputs'], 'results': r['results'], 'reply_count': r['reply'].get('execution_count'),
        'undefined_results': quiet['results'], 'string_value': text['value'],
        'rich': rich['results'], 'rich_error': rich['traceback'],
        'silent': {'inputs': silent['inputs'], 'results': silent['results'], 'count': silent['reply'].get('execution_count'), 'before': rich['reply'].get('execution_count')},
    }


THROWING_CELL = '''const image = tessera.push(new Float32Array(16), [4, 4]);
// a negative sigma
tessera.gaussianBlur(image, -1);
'''

NESTED_DEFINE = '''function check(x: number): number {
  if (x > 2) throw new TypeError(`too big: ${x}`);
  return x;
}
'''


def scenario_errors(fe):
    """Errors as ipykernel reports them: class name, message, the cells' lines only."""
    tess = fe.run(THROWING_CELL, timeout=60)
    fe.run(NESTED_DEFINE)
    nested = fe.run('const small = check(1);\ncheck(5)')
    typed = fe.run('const wrong: number = "text";')
    after = fe.run('small + 1')
    return {
        'tessera': {'reply': {k: tess['reply'].get(k) for k in ('status', 'ename', 'evalue')}, 'errors': tess['errors'], 'traceback': tess['traceback'],
                    'stderr': tess['stderr'], 'count': tess['reply'].get('execution_count')},
        'nested': {'ename': nested['reply'].get('ename'), 'traceback': nested['traceback'], 'count': nested['reply'].get('execution_count')},
        'typed': {'ename': typed['reply'].get('ename'), 'evalue': typed['reply'].get('evalue'), 'traceback': typed['traceback']},
        'kept_after_error': after['value'],
    }


def replies(fe, ids):
    return [fe.reply(i, timeout=30)['content']['status'] for i in ids]


def scenario_stop_on_error(fe):
    """Requests queued behind a failing cell: aborted with stop_on_error (the default), run without it."""
    fail = 'throw new Error("stop here")'
    default = replies(fe, [fe.execute(fail), fe.execute('1'), fe.execute('2')])
    allowed = replies(fe, [fe.execute(fail, stop_on_error=False), fe.execute('3'), fe.execute('4')])
    # Sent while a synchronous cell blocks the kernel: still queued behind it.
    blocking = fe.execute('const until = Date.now() + 800;\nwhile (Date.now() < until) {}\nthrow new Error("late")')
    time.sleep(0.3)
    queued = fe.execute('5')
    blocked = replies(fe, [blocking, queued])
    later = fe.run('6')
    return {'default': default, 'allowed': allowed, 'blocked': blocked, 'later': later['status']}


def scenario_history(fe):
    tail = fe.request('history_request', {'output': False, 'raw': True, 'hist_access_type': 'tail', 'n': 2})
    with_output = fe.request('history_request', {'output': True, 'raw': True, 'hist_access_type': 'tail', 'n': 1})
    session, line = tail['history'][0][0], tail['history'][0][1]
    rng = fe.request('history_request', {'output': False, 'raw': True, 'hist_access_type': 'range', 'session': session, 'start': line, 'stop': line + 1})
    search = fe.request('history_request', {'output': False, 'raw': True, 'hist_access_type': 'search', 'pattern': '*gaussianBlur*', 'unique': True})
    fe.run('"last cell"')
    last = fe.request('history_request', {'output': True, 'raw': True, 'hist_access_type': 'tail', 'n': 1})
    return {'tail': tail['history'], 'with_output': with_output['history'], 'range': rng['history'], 'search': search['history'], 'last': last['history']}


def scenario_introspection(fe):
    is_complete = {code: fe.request('is_complete_request', {'code': code}) for code in ['1 +* 2', 'function f() {', '1 + 2', 'const s = `open']}
    call = 'tessera.gaussianBlur('
    inside = fe.request('inspect_request', {'code': call + 'image, ', 'cursor_pos': len(call) + 7, 'detail_level': 0})
    name = fe.request('inspect_request', {'code': 'tessera.push', 'cursor_pos': 12, 'detail_level': 0})
    nothing = fe.request('inspect_request', {'code': '   ', 'cursor_pos': 1, 'detail_level': 0})
    # cursor_pos counts code points: the emoji is one, although it is two UTF-16 units.
    code = '"\U0001F600"; tessera.gaussianB'
    complete = fe.request('complete_request', {'code': code, 'cursor_pos': len(code)})
    return {'is_complete': is_complete, 'inside': inside, 'name': name, 'nothing': nothing, 'complete': complete, 'code_points': len(code)}


def scenario_kernel_info(fe):
    return fe.request('kernel_info_request', {})


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
        ('kernel_info', scenario_kernel_info), ('execute', scenario_execute), ('comm_info', scenario_comm_info), ('echo', scenario_echo),
        ('async_comm', scenario_async_comm), ('burst', scenario_burst), ('widgets', scenario_widgets), ('display', scenario_display),
        ('rich_display', scenario_rich_display), ('resolution', scenario_resolution), ('results', scenario_results), ('errors', scenario_errors),
        ('stop_on_error', scenario_stop_on_error), ('history', scenario_history), ('introspection', scenario_introspection),
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
    with open(sys.argv[2], 'w') as f:
        json.dump(results, f)


if __name__ == '__main__':
    main()
